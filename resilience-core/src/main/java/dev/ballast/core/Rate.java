package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.time.Duration;

/**
 * The one rate description of every Ballast rate limiter (local, keyed and fleet-wide) and of their
 * configuration ({@code rate: 100/s burst 20}): {@code permits} per {@code period}, refilled continuously,
 * with at most {@code burst} permits available at once.
 * <pre>{@code
 * Rate rate = Rate.of(100, Duration.ofSeconds(1)).withBurst(20);  // "100/s burst 20"
 * RateLimiter limiter = RateLimiter.builder().name("api").rate(rate).build();
 * }</pre>
 *
 * @param permits how many permits are added per {@code period}; at least 1
 * @param period the period of {@code permits}; positive
 * @param burst the most permits available at once (the bucket's capacity); at least 1
 */
public record Rate(long permits, Duration period, long burst) {

  /**
   * Validates every field.
   *
   * @throws IllegalArgumentException naming the field that is out of range
   * @throws NullPointerException if {@code period} is null
   */
  public Rate {
    Check.atLeast(permits, 1, "Rate.permits");
    Check.positive(period, "Rate.period");
    Check.atLeast(burst, 1, "Rate.burst");
  }

  /**
   * {@code permits} per {@code period} with a burst of {@code permits} (one period's worth).
   *
   * @throws IllegalArgumentException if {@code permits} is below 1 or {@code period} is not positive
   * @throws NullPointerException if {@code period} is null
   */
  public static Rate of(long permits, Duration period) {
    return new Rate(permits, period, permits);
  }

  /**
   * This rate with another burst.
   *
   * @throws IllegalArgumentException if {@code burst} is below 1
   */
  public Rate withBurst(long burst) {
    return new Rate(permits, period, burst);
  }

  /** As configuration writes it, e.g. {@code 100/PT1S burst 20}. */
  @Override
  public String toString() {
    return permits + "/" + period + " burst " + burst;
  }
}
