package dev.ballast.cache.annotation;

import dev.ballast.cache.TieredCache;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@link CacheEvict}: runs the rest of the chain, and only if it succeeded invalidates the key (or every
 * key) in Redis, here and, through the cache's channel, on every other instance. For an asynchronous
 * method the returned stage completes after the invalidation, so its caller reads the new value.
 */
final class Evicting implements MethodInterceptor {

  private final TieredCache<String, Object> cache;
  private final @Nullable KeyFunction keys; // null: every entry
  private final boolean async;

  Evicting(TieredCache<String, Object> cache, @Nullable KeyFunction keys, boolean async) {
    this.cache = cache;
    this.keys = keys;
    this.async = async;
  }

  @Override
  public @Nullable Object invoke(Invocation invocation) throws Exception {
    String key;
    try {
      // Before the call: a key that cannot be built must not leave a write done and its entry unevicted.
      key = keys == null ? null : keys.key(invocation.arguments());
    } catch (RuntimeException badKey) {
      return invocation.fail(badKey);
    }
    if (!async) {
      Object result = invocation.proceed();
      evict(key);
      return result;
    }
    @SuppressWarnings("unchecked")
    CompletionStage<Object> stage = (CompletionStage<Object>) invocation.proceed();
    return LoadFailures.future(stage).thenApply(result -> {
      evict(key);
      return result;
    });
  }

  private void evict(@Nullable String key) {
    if (key == null) {
      cache.invalidateAll();
    } else {
      cache.invalidate(key);
    }
  }
}
