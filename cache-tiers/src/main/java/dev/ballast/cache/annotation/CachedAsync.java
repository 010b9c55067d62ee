package dev.ballast.cache.annotation;

import dev.ballast.cache.TieredCache;
import dev.ballast.cache.internal.L1Peek;
import dev.ballast.core.annotation.Invocation;
import dev.ballast.core.annotation.MethodInterceptor;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link Cached} on a method returning a {@code CompletionStage}. An L1 hit completes at once; a miss
 * runs through {@link TieredCache#getAsync}, on the cache's executor, whose loader runs the rest of the
 * chain and waits for its stage (the cache's loaders are synchronous: a miss holds one executor thread
 * until the origin answers). Failures, including a bad key, come back through the stage.
 */
final class CachedAsync implements MethodInterceptor {

  private final TieredCache<String, Object> cache;
  private final L1Peek<String> l1;
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
  public Object invoke(Invocation invocation) {
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

  private Object load(Invocation invocation) throws Exception {
    Object value;
    try {
      @SuppressWarnings("unchecked")
      CompletionStage<Object> stage = (CompletionStage<Object>) invocation.proceed();
      value = LoadFailures.future(stage).join();
    } catch (Exception e) {
      throw LoadFailures.forLoader(LoadFailures.original(e));
    }
    return optional ? CachedSync.unwrap(value) : value;
  }

  private Object result(Object value) {
    return optional ? Optional.ofNullable(value) : value;
  }
}
