package dev.ballast.spring;

import dev.ballast.core.config.ConfigContext;

/**
 * Adds to the {@link ConfigContext} that the auto-configured {@link dev.ballast.core.Registry} is built with:
 * a bean of this type can add a named resource or a ticker. The starter's own customizers add the application's
 * {@code MeterRegistry} and its Lettuce {@code RedisClient} (as the {@code redis} resource).
 * <pre>{@code
 * @Bean ConfigContextCustomizer paymentsClient(RedisClient payments) {
 *   return context -> context.resource("payments-redis", payments);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface ConfigContextCustomizer {

  /**
   * Adds to {@code context}.
   *
   * @throws IllegalArgumentException if what it adds is invalid (the context start fails with it)
   */
  void customize(ConfigContext.Builder context);
}
