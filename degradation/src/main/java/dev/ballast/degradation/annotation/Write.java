package dev.ballast.degradation.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface method as a write: in read-only mode the call is refused with
 * {@link dev.ballast.degradation.ReadOnlyModeException} before it reaches the implementation or spends
 * anything (no cache eviction, no retry attempt, no breaker call, no rate-limit permit). An asynchronous
 * method returns a failed stage instead of throwing.
 *
 * <pre>{@code
 * @Write                                   // refused in read-only mode; never retried
 * Receipt placeOrder(Order order);
 *
 * @Write(idempotent = true) @Retry("inventory")
 * void setStock(String sku, int count);     // applying it twice is harmless, so it may be retried
 * }</pre>
 *
 * <p>Checked when the implementation is {@linkplain dev.ballast.core.annotation.Wrapper#wrap wrapped}:
 * the registry must hold the switchboard, and a write that is not {@link #idempotent()} must not also
 * carry a {@code @Retry} whose policy makes more than one attempt: a retried write whose first attempt
 * timed out, or failed after the database committed, would be applied twice. Each call costs one
 * volatile read and allocates nothing while writes are allowed. Where it applies among the other
 * annotations: {@link dev.ballast.core.annotation.spi.InterceptorOrder#WRITE_GUARD}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Write {

  /** The operation's name in the refusal's message; empty (the default) means {@code "Type.method"}. */
  String value() default "";

  /** Whether applying the write twice has the same effect as once, so that {@code @Retry} may repeat it. */
  boolean idempotent() default false;

  /** The registry name of the {@link dev.ballast.degradation.Switchboard} (the configuration registers it as "switchboard"). */
  String switchboard() default "switchboard";
}
