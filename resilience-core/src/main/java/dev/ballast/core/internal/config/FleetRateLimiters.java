package dev.ballast.core.internal.config;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.RateLimiterConfig;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import java.util.Set;

/**
 * How {@code rateLimiters.<name>.scope: fleet} builds a fleet-wide limiter without core knowing Redis: a
 * {@link java.util.ServiceLoader} service that {@code ballast-redis-support} provides. Internal to Ballast.
 */
public interface FleetRateLimiters {

  /** The entry keys the fleet scope adds to {@code rateLimiters.<name>} (besides rate, maxWait, scope). */
  Set<String> entryKeys();

  /**
   * Builds and starts the fleet-wide limiter of one entry.
   *
   * @param config the entry's rate, name and maxWait, already validated
   * @throws IllegalArgumentException naming what is wrong (a missing {@code redis} resource, a bad key)
   */
  RateLimiter build(RateLimiterConfig config, ConfigNode entry, ConfigContext context);
}
