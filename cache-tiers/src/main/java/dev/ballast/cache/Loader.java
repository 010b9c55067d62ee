package dev.ballast.cache;

import org.jspecify.annotations.Nullable;

/**
 * Loads one value from the origin on a cache miss. Called at most once at a time per key in a JVM, and
 * (with Redis) by one instance of the fleet at a time while its lease holds. Pass a loader that captures
 * nothing (a method reference to a static method or a field) to keep {@link TieredCache#get} free of
 * allocation on an L1 hit.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface Loader<K, V> {

  /**
   * Returns the value for {@code key}, or null if there is none (cached as an absence when the cache has
   * a negative TTL).
   *
   * @throws Exception any failure; the cache serves a stale value if it may (stale-if-error), else hands
   *     the failure to the caller
   */
  @Nullable V load(K key) throws Exception;
}
