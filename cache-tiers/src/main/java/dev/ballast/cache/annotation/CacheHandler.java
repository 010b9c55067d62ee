package dev.ballast.cache.annotation;

import dev.ballast.cache.CacheSpec;
import dev.ballast.cache.TieredCache;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.InterceptorOrder;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Handles {@link Cached} and {@link CacheEvict} (one handler, so that the two on one method are one
 * error): checks the method and resolves its cache and key when wrapping, at
 * {@link InterceptorOrder#CACHE}.
 */
final class CacheHandler implements AnnotationHandler {

  @Override
  public int order() {
    return InterceptorOrder.CACHE;
  }

  @Override
  public @Nullable MethodInterceptor interceptorFor(Method method, Registry registry) {
    Cached cached = method.getAnnotation(Cached.class);
    CacheEvict evict = method.getAnnotation(CacheEvict.class);
    if (cached == null && evict == null) {
      return null;
    }
    if (cached != null && evict != null) {
      throw new Site("Cached", method).error("@Cached and @CacheEvict on one method: a method either reads"
          + " through the cache or invalidates it");
    }
    return cached != null ? cached(new Site("Cached", method), cached, registry)
        : evicting(new Site("CacheEvict", method), evict, registry);
  }

  private static MethodInterceptor cached(Site site, Cached cached, Registry registry) {
    ReturnShape shape = ReturnShape.ofCached(site);
    KeyFunction keys = KeyExpressions.compile(site, cached.key(), cached.keyGenerator());
    TieredCache<String, Object> cache = resolve(site, cached.value(), shape.valueType(), registry);
    return shape.async() ? new CachedAsync(cache, keys, shape.optional())
        : new CachedSync(cache, keys, shape.optional());
  }

  private static MethodInterceptor evicting(Site site, CacheEvict evict, Registry registry) {
    boolean async = java.util.concurrent.CompletionStage.class.isAssignableFrom(site.method().getReturnType());
    if (async) {
      ReturnShape.checkStageType(site, site.method().getReturnType());
    }
    KeyFunction keys = null;
    if (evict.allEntries()) {
      if (!evict.key().isEmpty() || evict.keyGenerator() != KeyGenerator.class) {
        throw site.error("allEntries = true invalidates every key: give no key or keyGenerator with it");
      }
    } else {
      keys = KeyExpressions.compile(site, evict.key(), evict.keyGenerator());
    }
    TieredCache<String, Object> cache = resolve(site, evict.value(), null, registry);
    return new Evicting(cache, keys, async);
  }

  /** The registered {@link TieredCache} named {@code name}, else the cache of the {@link CacheSpec} so named. */
  @SuppressWarnings("unchecked")
  private static TieredCache<String, Object> resolve(Site site, String name, @Nullable Type valueType,
      Registry registry) {
    if (name.isBlank()) {
      throw site.error("the cache name is blank");
    }
    if (registry.namesOf(TieredCache.class).contains(name)) {
      return registry.get(name, TieredCache.class); // the application's own codecs: its value type is its word
    }
    if (registry.namesOf(CacheSpec.class).contains(name)) {
      try {
        return registry.get(name, CacheSpec.class).cache(valueType, site.methodName(), registry);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw site.error(e.getMessage(), e);
      }
    }
    Set<String> known = new TreeSet<>(registry.namesOf(TieredCache.class));
    known.addAll(registry.namesOf(CacheSpec.class));
    throw site.error("no cache named '" + name + "' in the registry (neither a TieredCache nor a CacheSpec from"
        + " the caches section); known caches: " + known);
  }
}
