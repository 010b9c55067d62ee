package dev.ballast.cache.internal;

import dev.ballast.cache.AsyncLoader;
import dev.ballast.core.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A miss of {@code getAsyncCompose}: the same steps as the blocking miss (shared with it:
 * {@link DefaultTieredCache#withoutLoad}, {@link DefaultTieredCache#lead}, {@link OriginLoad}), but the
 * origin is called through an {@link AsyncLoader} and nothing waits for it. The Redis steps run on the
 * executor (each bounded by {@code redisTimeout}); the loader's stage, when it completes, finishes the
 * call (fill, L1 store) and then the key's {@link Flight}. So an origin call of seconds holds no thread.
 *
 * <p>No state of its own: the flight (registered in {@link L1Store}, single-flight by
 * {@code putIfAbsent}) carries the result to every caller of the key, and its invalidation guard to the
 * L1 store, exactly as on the blocking path. The leader removes the flight once it is complete.
 */
final class AsyncMiss<K, V> {

  private final DefaultTieredCache<K, V> cache;
  private final L1Store<K, V> l1;
  private final OriginLoad<K, V> origin;
  private final CacheMeters meters;
  private final Ticker ticker;
  private final Executor executor;

  AsyncMiss(DefaultTieredCache<K, V> cache, L1Store<K, V> l1, OriginLoad<K, V> origin, CacheMeters meters,
      Ticker ticker, Executor executor) {
    this.cache = cache;
    this.l1 = l1;
    this.origin = origin;
    this.meters = meters;
    this.ticker = ticker;
    this.executor = executor;
  }

  /** Runs the miss on the executor (in the caller when the executor refuses); never throws. */
  CompletableFuture<V> start(K key, AsyncLoader<? super K, ? extends V> loader) {
    CompletableFuture<V> result = new CompletableFuture<>();
    Runnable miss = () -> {
      try {
        miss(key, loader, result);
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    };
    try {
      executor.execute(miss);
    } catch (RejectedExecutionException saturated) {
      miss.run(); // back pressure, as for getAsync: the caller does the Redis steps
    }
    return result;
  }

  private void miss(K key, AsyncLoader<? super K, ? extends V> loader, CompletableFuture<V> result) {
    meters.l1Misses.increment();
    long now = ticker.read();
    L1Entry<V> local = l1.getIfPresent(key);
    Consumer<K> refresh = k -> refreshInBackground(k, loader);
    Step.Found<K, V> early = cache.withoutLoad(key, local, now, refresh);
    if (early != null) {
      result.complete(early.value());
      return;
    }
    if (local != null && !local.usable(now)) {
      local = null;
    }
    Flight<V> mine = l1.newFlight();
    Flight<V> running = l1.register(key, mine);
    if (running != null) {
      forward(cache.joinAsync(key, running), result);
      return;
    }
    forward(mine, result);
    Step<K, V> step;
    try {
      step = cache.lead(key, mine, local, now, refresh);
    } catch (Throwable e) {
      end(key, mine, null, e);
      return;
    }
    if (step instanceof Step.Found<K, V> found) {
      end(key, mine, found.value(), null);
    } else {
      origin.callAsync((OriginLoad.Call<K, V>) step, loader, executor)
          .whenComplete((value, error) -> end(key, mine, value, error));
    }
  }

  /**
   * Lets the next miss of the key start a load, then completes the flight (its callers see the outcome).
   * In this order, so that a caller who got the outcome and asks again does not join this ended flight.
   */
  private void end(K key, Flight<V> flight, V value, Throwable error) {
    l1.finish(key, flight);
    if (error == null) {
      flight.complete(value);
    } else {
      flight.completeExceptionally(error);
    }
  }

  /** Hands the flight's outcome to one caller, who cannot complete the flight itself. */
  private static <V> void forward(CompletableFuture<V> flight, CompletableFuture<V> result) {
    flight.whenComplete((value, error) -> {
      if (error == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(error);
      }
    });
  }

  /** A background refresh through the asynchronous loader: it too holds no thread while the origin works. */
  private void refreshInBackground(K key, AsyncLoader<? super K, ? extends V> loader) {
    cache.startRefresh(key, flight -> {
      OriginLoad.Call<K, V> call = cache.refreshCall(key, flight);
      return call == null ? CompletableFuture.completedFuture(null) : origin.callAsync(call, loader, executor);
    });
  }
}
