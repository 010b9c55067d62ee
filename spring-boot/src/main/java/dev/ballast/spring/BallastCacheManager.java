package dev.ballast.spring;

import dev.ballast.cache.CacheSpec;
import dev.ballast.cache.Codec;
import dev.ballast.cache.TieredCache;
import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} whose caches are Ballast {@link TieredCache}s: each {@code ballast.caches.<name>}
 * entry is a Spring cache of that name, so existing {@code @Cacheable}, {@code @CachePut} and {@code @CacheEvict}
 * code gets two levels, fleet-wide single flight ({@code sync = true}) and invalidation events by enabling
 * {@code ballast.cache-manager.enabled}. A name with no entry has no cache (Spring then fails the call naming it).
 *
 * <p>Values are {@code String}s unless {@code ballast.cache-manager.value-types.<name>} names their class:
 * {@code String} as UTF-8, {@code byte[]} as is, anything else as JSON through Jackson 2 (the context's
 * {@code objectMapper} resource, else a plain {@code ObjectMapper}). Never Java serialization.
 */
public final class BallastCacheManager implements CacheManager, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(BallastCacheManager.class);

  private final Registry registry;
  private final ConfigContext context;
  private final Map<String, Class<?>> valueTypes;
  private final Map<String, TieredSpringCache> caches = new ConcurrentHashMap<>();
  /** The specs this manager made, whose caches it closes. */
  private final List<CacheSpec> specs = new java.util.concurrent.CopyOnWriteArrayList<>();

  BallastCacheManager(Registry registry, ConfigContext context, Map<String, Class<?>> valueTypes) {
    this.registry = registry;
    this.context = context;
    this.valueTypes = Map.copyOf(valueTypes);
    for (String name : registry.namesOf(CacheSpec.class)) {
      if (!registry.get(name, CacheSpec.class).config().negativeTtl().isZero()) {
        // A plain lookup would cache the absence, and @Cacheable(sync = true) would then return null for good
        // without calling the method: Spring's nulls are cached as NullValue instead.
        throw new IllegalArgumentException("ballast.caches." + name + ".negativeTtl: must be unset for a cache that"
            + " Spring's CacheManager serves (Spring caches null values itself); remove it, or set"
            + " ballast.cache-manager.enabled=false");
      }
    }
    List<String> unknown = new ArrayList<>(valueTypes.keySet());
    unknown.removeAll(registry.namesOf(CacheSpec.class));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("ballast.cache-manager.value-types names caches that ballast.caches does"
          + " not define: " + unknown + " (caches: " + registry.namesOf(CacheSpec.class) + ")");
    }
  }

  /**
   * Returns the cache named {@code name}, creating its tiered cache at the first call, or null if
   * {@code ballast.caches} has no such entry.
   *
   * @throws IllegalArgumentException if the cache's value type needs Jackson and it is not on the class path
   */
  @Override
  public @Nullable Cache getCache(String name) {
    if (!registry.namesOf(CacheSpec.class).contains(name)) {
      return null;
    }
    return caches.computeIfAbsent(name, this::create);
  }

  /** The names of the caches {@code ballast.caches} defines. */
  @Override
  public Collection<String> getCacheNames() {
    return List.copyOf(registry.namesOf(CacheSpec.class));
  }

  private TieredSpringCache create(String name) {
    Class<?> valueType = valueTypes.getOrDefault(name, String.class);
    Codec<Object> codec = new NullMarkingCodec(valueCodec(valueType));
    // A spec of our own over the same settings: its values are Spring's (NullValue included), so it must not
    // share a codec with an @Cached method of the same name.
    CacheSpec spec = registry.get(name, CacheSpec.class).withValueCodecs(type -> codec);
    specs.add(spec);
    TieredCache<String, Object> cache = spec.cache(SpringValue.class, "Spring CacheManager", registry);
    return new TieredSpringCache(cache);
  }

  @SuppressWarnings("unchecked")
  private Codec<Object> valueCodec(Class<?> type) {
    if (type == String.class) {
      return (Codec<Object>) (Codec<?>) Codec.utf8();
    }
    if (type == byte[].class) {
      return (Codec<Object>) (Codec<?>) Codec.bytes();
    }
    return JacksonValues.codec(type, context.resources().get("objectMapper"));
  }

  /** Closes the tiered caches this manager created (not the client or the registry). */
  @Override
  public void destroy() {
    for (CacheSpec spec : specs) {
      try {
        spec.close();
      } catch (RuntimeException e) {
        log.warn("Closing Spring cache '{}' failed", spec.name(), e);
      }
    }
  }

  /** The value type a Spring cache's spec is asked for: Spring's values, whatever their class. */
  private static final class SpringValue {}
}
