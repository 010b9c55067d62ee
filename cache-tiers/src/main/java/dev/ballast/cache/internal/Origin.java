package dev.ballast.cache.internal;

import dev.ballast.cache.AsyncLoader;
import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.Loader;
import dev.ballast.core.internal.Futures;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The origin of one key as the read path calls it, whatever the user's loader: a blocking
 * {@link Loader} runs on the calling thread (the caller's for {@code get}, an executor thread for
 * {@code getAsyncWithBlockingLoader} and refreshes), an {@link AsyncLoader} returns its stage, a {@link BulkLoader} is
 * asked for one key (a refresh of one key of a {@code getAll}). Never throws: failures come in the stage.
 */
@FunctionalInterface
interface Origin<K, V> {

  CompletionStage<V> load(K key);

  static <K, V> Origin<K, V> blocking(Loader<? super K, ? extends V> loader) {
    return key -> {
      try {
        return CompletableFuture.completedFuture(loader.load(key));
      } catch (Throwable e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }

  static <K, V> Origin<K, V> async(AsyncLoader<? super K, ? extends V> loader) {
    return key -> Futures.<V>start(() -> {
      CompletionStage<? extends V> stage = loader.load(key);
      return stage == null ? null : stage.thenApply(value -> value);
    });
  }

  static <K, V> Origin<K, V> bulk(BulkLoader<? super K, ? extends V> loader) {
    return key -> {
      try {
        Map<? super K, ? extends V> loaded = loader.loadAll(Set.of(key));
        return CompletableFuture.completedFuture(loaded == null ? null : loaded.get(key));
      } catch (Throwable e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }
}
