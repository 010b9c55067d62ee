package dev.ballast.cache.annotation;

import dev.ballast.cache.TieredCache;
import dev.ballast.cache.internal.L1Peek;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@link Cached} on a method returning a {@code CompletionStage}. An L1 hit completes at once; a miss
 * runs through {@link TieredCache#getAsync}: the rest of the chain is the loader and its stage is
 * the load, so no thread waits for the method (the Redis steps of the miss run on the cache's executor).
 * Failures, including a bad key, come back through the stage, as the method's own exception.
 */
final class CachedAsync implements MethodInterceptor {

  private final TieredCache<String, Object> cache;
  private final @Nullable L1Peek<String> l1;
  private final KeyFunction keys;
  private final boolean optional;

  @SuppressWarnings("unchecked")
  CachedAsync(TieredCache<String, Object> cache, KeyFunction keys, boolean optional) {
    this.cache = cache;
    this.l1 = cache instanceof L1Peek<?> peek ? (L1Peek<String>) peek : null;
    this.keys = keys;
    this.optional = optional;
  }

  @Override
  public @Nullable Object invoke(Invocation invocation) {
    String key;
    try {
      key = keys.key(invocation.arguments());
    } catch (RuntimeException badKey) {
      return CompletableFuture.failedFuture(badKey);
    }
    if (l1 != null) {
      Object value = l1.peek(key);
      if (value != L1Peek.MISS) {
        return CompletableFuture.completedFuture(result(value));
      }
    }
    CompletableFuture<Object> result = new CompletableFuture<>();
    CompletableFuture<Object> loaded;
    try {
      loaded = cache.getAsync(key, k -> load(invocation));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    loaded.whenComplete((value, error) -> {
      if (error == null) {
        result.complete(result(value));
      } else {
        result.completeExceptionally(LoadFailures.original(error));
      }
    });
    return result;
  }

  @SuppressWarnings("unchecked")
  private CompletionStage<Object> load(Invocation invocation) {
    CompletionStage<Object> stage;
    try {
      stage = (CompletionStage<Object>) invocation.proceed(); // for an async method: never throws
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    return optional && stage != null ? stage.thenApply(CachedSync::unwrap) : stage;
  }

  private @Nullable Object result(@Nullable Object value) {
    return optional ? Optional.ofNullable(value) : value;
  }
}
