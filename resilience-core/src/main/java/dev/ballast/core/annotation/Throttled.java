package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.InterceptorOrder;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated interface method under the {@link dev.ballast.core.AdaptiveThrottle} registered under this name
 * (client-side adaptive throttling of the dependency the method calls), when the implementation is wrapped with {@link Wrapper#wrap}. Where it applies among the
 * other annotations, and why: {@link InterceptorOrder}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Throttled {

  /** The name of the registered policy. */
  String value();
}
