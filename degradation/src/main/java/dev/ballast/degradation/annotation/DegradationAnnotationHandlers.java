package dev.ballast.degradation.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;
import java.util.List;

/**
 * The degradation module's annotation handlers ({@link Feature}, {@link Write}), found by
 * {@link dev.ballast.core.annotation.Wrapper} through {@link java.util.ServiceLoader}.
 */
public final class DegradationAnnotationHandlers implements AnnotationHandler.Provider {

  /** Called by {@link java.util.ServiceLoader}. */
  public DegradationAnnotationHandlers() {}

  @Override
  public List<AnnotationHandler> handlers() {
    return List.of(new FeatureHandler(), new WriteHandler());
  }
}
