package dev.ballast.cache.annotation;

import dev.ballast.cache.CacheLoadException;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.internal.L1Peek;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@link Cached} on a synchronous method. The hit path is the key, one L1 lookup and (for an
 * {@code Optional} method) the Optional: no reflection, no loader allocated. A miss goes through
 * {@link TieredCache#get} with a loader that runs the rest of the chain.
 */
final class CachedSync implements MethodInterceptor {

  private final TieredCache<String, Object> cache;
  private final @Nullable L1Peek<String> l1; // null for a cache of another kind
  private final KeyFunction keys;
  private final boolean optional;

  @SuppressWarnings("unchecked")
  CachedSync(TieredCache<String, Object> cache, KeyFunction keys, boolean optional) {
    this.cache = cache;
    this.l1 = cache instanceof L1Peek<?> peek ? (L1Peek<String>) peek : null;
    this.keys = keys;
    this.optional = optional;
  }

  @Override
  public @Nullable Object invoke(Invocation invocation) throws Exception {
    String key = keys.key(invocation.arguments());
    if (l1 != null) {
      Object value = l1.peek(key);
      if (value != L1Peek.MISS) {
        return result(value);
      }
    }
    Object value;
    try {
      value = cache.get(key, k -> load(invocation));
    } catch (CacheLoadException e) {
      throw LoadFailures.rethrow(e);
    }
    return result(value);
  }

  private @Nullable Object load(Invocation invocation) throws Exception {
    Object result;
    try {
      result = invocation.proceed();
    } catch (Exception e) {
      throw LoadFailures.forLoader(e);
    }
    return optional ? unwrap(result) : result;
  }

  private @Nullable Object result(@Nullable Object value) {
    return optional ? Optional.ofNullable(value) : value;
  }

  /** An Optional's value, null for empty (the cache's absence); a null Optional is treated as empty. */
  static @Nullable Object unwrap(@Nullable Object optional) {
    return optional == null ? null : ((Optional<?>) optional).orElse(null);
  }
}
