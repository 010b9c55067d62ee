package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.InterceptorOrder;

import java.util.List;

/** resilience-core's annotation handlers, found by {@link Wrapper} through {@link java.util.ServiceLoader}. */
public final class CoreAnnotationHandlers implements AnnotationHandler.Provider {

  /** Called by {@link java.util.ServiceLoader}. */
  public CoreAnnotationHandlers() {}

  @Override
  public List<AnnotationHandler> handlers() {
    return List.of(
        new FallbackHandler(),
        new PolicyAnnotationHandler<>(Retry.class, Retry::value, dev.ballast.core.Retry.class,
            InterceptorOrder.RETRY),
        new PolicyAnnotationHandler<>(CircuitBreaker.class, CircuitBreaker::value,
            dev.ballast.core.CircuitBreaker.class, InterceptorOrder.CIRCUIT_BREAKER),
        new PolicyAnnotationHandler<>(RateLimited.class, RateLimited::value, dev.ballast.core.RateLimiter.class,
            InterceptorOrder.RATE_LIMIT),
        new PolicyAnnotationHandler<>(Timeout.class, Timeout::value, dev.ballast.core.Timeout.class,
            InterceptorOrder.TIMEOUT));
  }
}
