package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of a {@link ConcurrencyLimiter}, validated at construction.
 *
 * @param name names the limiter in metrics, messages and the registry
 * @param algorithm how the limit moves
 * @param initialLimit the limit before the first measurement (between min and max)
 * @param minLimit the limit never goes below this (at least 1)
 * @param maxLimit the limit never goes above this
 * @param partitions guaranteed shares of the limit by partition name, in (0, 1], summing to at most 1;
 *     the rest is the share of partition {@value ConcurrencyLimiter#DEFAULT_PARTITION}; empty for none.
 *     Copied, in its order.
 */
public record ConcurrencyLimiterConfig(String name, ConcurrencyLimitAlgorithm algorithm, int initialLimit,
    int minLimit, int maxLimit, Map<String, Double> partitions) {

  /**
   * @throws IllegalArgumentException naming the first invalid field
   * @throws NullPointerException if a field is null
   */
  public ConcurrencyLimiterConfig {
    Check.notBlank(name, "ConcurrencyLimiter.name");
    Check.notNull(algorithm, "ConcurrencyLimiter.algorithm");
    Check.atLeast(minLimit, 1, "ConcurrencyLimiter.minLimit");
    Check.atLeast(maxLimit, minLimit, "ConcurrencyLimiter.maxLimit");
    Check.atLeast(initialLimit, minLimit, "ConcurrencyLimiter.initialLimit");
    Check.atMost(initialLimit, maxLimit, "ConcurrencyLimiter.initialLimit");
    Check.notNull(partitions, "ConcurrencyLimiter.partitions");
    double sum = 0;
    for (Map.Entry<String, Double> share : partitions.entrySet()) {
      Check.notBlank(share.getKey(), "ConcurrencyLimiter.partitions key");
      Check.ratio(Check.notNull(share.getValue(), "ConcurrencyLimiter.partitions." + share.getKey()),
          "ConcurrencyLimiter.partitions." + share.getKey());
      sum += share.getValue();
    }
    if (sum > 1.0 + 1e-9) {
      throw new IllegalArgumentException("ConcurrencyLimiter.partitions must add up to at most 100 %, was "
          + Math.round(sum * 1000) / 10.0 + " %");
    }
    partitions = Collections.unmodifiableMap(new LinkedHashMap<>(partitions));
  }
}
