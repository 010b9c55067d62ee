package dev.ballast.cache.annotation;

import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * Computes cache keys for {@link Cached#keyGenerator()} and {@link CacheEvict#keyGenerator()} where a
 * key expression will not do. An implementation needs a public no-argument constructor; one instance is
 * created per annotated method when wrapping and shared by all its calls, so it must be thread-safe.
 * <pre>{@code
 * public final class TenantKeys implements KeyGenerator {
 *   public String key(Method method, @Nullable Object[] arguments) {
 *     return Tenant.current() + ":" + arguments[0];
 *   }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface KeyGenerator {

  /**
   * Returns the key for one call.
   *
   * @param method the interface method called
   * @param arguments its arguments (empty for none; an argument may be null); do not modify
   * @return the key, never null (a null key fails the call with a {@link NullPointerException})
   */
  String key(Method method, @Nullable Object[] arguments);
}
