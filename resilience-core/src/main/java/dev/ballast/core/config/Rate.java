package dev.ballast.core.config;

import dev.ballast.core.internal.Check;
import java.time.Duration;

/**
 * A rate as configuration writes it, {@code 800/s}: {@code permits} per {@code period}.
 *
 * @param permits how many (at least 1)
 * @param period per how long (positive)
 */
public record Rate(long permits, Duration period) {

  /** Validates both fields. */
  public Rate {
    Check.atLeast(permits, 1, "Rate.permits");
    Check.positive(period, "Rate.period");
  }
}
