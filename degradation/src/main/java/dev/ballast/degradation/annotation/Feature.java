package dev.ballast.degradation.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface method as a non-critical feature of a {@link dev.ballast.degradation.Switchboard}:
 * while the feature is switched off (by an operator, a mode or a trigger) the call does not reach the
 * implementation, nor any annotation inside it (cache, retry, breaker, limiter, timeout), and fails with
 * {@link dev.ballast.degradation.FeatureDisabledException}, so an outer {@code @Fallback} fallback
 * answers. An asynchronous method returns a failed stage instead of throwing.
 *
 * <pre>{@code
 * @Fallback("noRecommendations")
 * @Feature("recommendations")
 * List<Product> recommendations(String user);
 * List<Product> noRecommendations(String user);
 * }</pre>
 *
 * <p>Checked when the implementation is {@linkplain dev.ballast.core.annotation.Wrapper#wrap wrapped}:
 * the registry must hold the switchboard, and if the switchboard declares its features this one must be
 * among them (the error suggests the closest). Each call costs one volatile read and one hash lookup;
 * it allocates nothing while the feature is on. Where it applies among the other annotations:
 * {@link dev.ballast.core.annotation.spi.InterceptorOrder#FEATURE}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Feature {

  /** The feature's name, as declared on the switchboard. */
  String value();

  /** The registry name of the {@link dev.ballast.degradation.Switchboard} (the configuration registers it as "switchboard"). */
  String switchboard() default "switchboard";
}
