package dev.ballast.spring;

import dev.ballast.cache.CacheLoadException;
import dev.ballast.cache.TieredCache;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.jspecify.annotations.Nullable;

/**
 * A Spring {@link org.springframework.cache.Cache} over a {@link TieredCache}: two levels, one load per key per
 * fleet ({@code @Cacheable(sync = true)}), and writes that evict every instance's L1.
 *
 * <p>Keys become strings with {@code toString()} ({@code SimpleKey [a,b]} for several arguments), as Spring Data
 * Redis's cache does by default. A null value is stored as Spring's {@code NullValue} (a one-byte marker in
 * Redis), never as the tiered cache's absence, so a cached null is a hit. A plain {@link #get(Object)} (Spring's
 * {@code @Cacheable} without {@code sync}) reads L1 and Redis through {@code getAll} with a loader that finds
 * nothing, so a miss costs what a miss costs in the tiered cache; {@code sync = true} is the mode that gives one
 * load per key across the fleet.
 */
final class TieredSpringCache extends AbstractValueAdaptingCache {

  private final TieredCache<String, Object> cache;

  TieredSpringCache(TieredCache<String, Object> cache) {
    super(true);
    this.cache = cache;
  }

  @Override
  public String getName() {
    return cache.name();
  }

  @Override
  public TieredCache<String, Object> getNativeCache() {
    return cache;
  }

  @Override
  protected @Nullable Object lookup(Object key) {
    String k = key(key);
    Map<String, Object> found = cache.getAll(List.of(k), keys -> Map.of());
    return found.get(k);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
    try {
      return (T) fromStoreValue(cache.get(key(key), k -> toStoreValue(valueLoader.call())));
    } catch (CacheLoadException e) {
      throw new ValueRetrievalException(key, valueLoader, e.getCause() != null ? e.getCause() : e);
    }
  }

  @Override
  public void put(Object key, @Nullable Object value) {
    cache.put(key(key), toStoreValue(value));
  }

  @Override
  public void evict(Object key) {
    cache.invalidate(key(key));
  }

  @Override
  public boolean evictIfPresent(Object key) {
    // The tiered cache does not say whether the key was there; invalidating is what counts.
    cache.invalidate(key(key));
    return false;
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  private static String key(Object key) {
    return String.valueOf(key);
  }
}
