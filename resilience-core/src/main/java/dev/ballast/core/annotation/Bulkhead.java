package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.InterceptorOrder;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated interface method under the {@link dev.ballast.core.Bulkhead} registered under this name
 * (one slot per call, held until the call or its stage completes), when the implementation is wrapped with {@link Wrapper#wrap}. Where it applies among the
 * other annotations, and why: {@link InterceptorOrder}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Bulkhead {

  /** The name of the registered policy. */
  String value();
}
