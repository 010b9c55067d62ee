package dev.ballast.core.annotation.spi;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.annotation.CircuitBreaker;
import dev.ballast.core.annotation.Fallback;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.core.annotation.Retry;
import dev.ballast.core.annotation.Timeout;
import dev.ballast.core.annotation.Wrapper;

import dev.ballast.core.Registry;
import java.lang.reflect.Method;

/**
 * Turns one kind of annotation into a {@link MethodInterceptor}. Each module contributes its own
 * handlers (resilience-core: {@code @Fallback}, {@code @Retry}, {@code @CircuitBreaker},
 * {@code @RateLimited}, {@code @Timeout}; other modules their caching and switchboard annotations)
 * through a {@link Provider} listed in
 * {@code META-INF/services/dev.ballast.core.annotation.spi.AnnotationHandler$Provider}, so the one wrapping
 * call ({@link Wrapper#wrap}) finds them all without this module depending on any other.
 */
public interface AnnotationHandler {

  /** A module's handlers, found with {@link java.util.ServiceLoader}. */
  interface Provider {
    /** The handlers this module contributes. */
    java.util.List<AnnotationHandler> handlers();
  }

  /**
   * Where this handler's interceptor sits in the chain: smaller is further out. The order is fixed and
   * documented once, in {@link InterceptorOrder}.
   */
  int order();

  /**
   * Returns the interceptor for {@code method}, or null when the method carries none of this handler's
   * annotations. Called once per method at wrap time: every misconfiguration (an unknown policy name,
   * a fallback that does not match) must be reported here, not at the first call.
   *
   * @param method the interface method
   * @param registry where named policies and components are looked up
   * @throws IllegalArgumentException naming the method and what is wrong with its annotation
   */
  @Nullable MethodInterceptor interceptorFor(Method method, Registry registry);
}
