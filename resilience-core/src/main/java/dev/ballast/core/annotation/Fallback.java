package dev.ballast.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * When the annotated method fails (after everything inside it: retries, breaker, limiter, timeout, a
 * switched-off feature), calls the named fallback method of the same interface instead. The fallback
 * takes the same parameters, optionally followed by one {@link Throwable} (or subtype) parameter for the
 * failure, and returns the same type (or a subtype). Checked when the implementation is wrapped.
 * For a method returning a {@link java.util.concurrent.CompletionStage}, a failed stage counts as a
 * failure and the fallback returns a stage too.
 * <pre>{@code
 * @Fallback("cachedPrices")
 * @Retry("pricing")
 * List<Price> prices(String sku);
 * List<Price> cachedPrices(String sku, Exception failure);
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Fallback {

  /** The name of the fallback method on the same interface. */
  String value();
}
