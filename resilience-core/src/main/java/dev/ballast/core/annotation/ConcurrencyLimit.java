package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.InterceptorOrder;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated interface method under the {@link dev.ballast.core.ConcurrencyLimiter} registered
 * under this name, in one of its partitions, when the implementation is wrapped with
 * {@link Wrapper#wrap}:
 * <pre>{@code
 * @ConcurrencyLimit(value = "search-db", partition = "checkout")
 * List<Row> query(String sql);
 * }</pre>
 * An unknown partition is reported when the method is wrapped. Where it applies among the other
 * annotations, and why: {@link InterceptorOrder}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ConcurrencyLimit {

  /** The name of the registered limiter. */
  String value();

  /** The partition the calls run in; default the limiter's {@code default} partition. */
  String partition() default dev.ballast.core.ConcurrencyLimiter.DEFAULT_PARTITION;
}
