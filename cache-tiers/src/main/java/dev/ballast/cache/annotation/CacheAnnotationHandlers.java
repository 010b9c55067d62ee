package dev.ballast.cache.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;
import java.util.List;

/**
 * cache-tiers' annotation handlers ({@link Cached}, {@link CacheEvict}), found by
 * {@link dev.ballast.core.annotation.Wrapper} through {@link java.util.ServiceLoader}.
 */
public final class CacheAnnotationHandlers implements AnnotationHandler.Provider {

  /** Called by {@link java.util.ServiceLoader}. */
  public CacheAnnotationHandlers() {}

  @Override
  public List<AnnotationHandler> handlers() {
    return List.of(new CacheHandler());
  }
}
