package dev.ballast.core;

import java.time.Duration;

/**
 * An {@link AdaptiveThrottle} refused the call locally: the dependency has been refusing too much of the
 * recent traffic, so this call was not sent. {@link #retryAfter()} is when the throttle's counts next
 * move (one slice of its window).
 */
public class ThrottledException extends CallRejectedException implements RetryAfterHint {

  private static final long serialVersionUID = 1L;

  private final double probability;
  private final long retryAfterNanos;

  /**
   * @param throttleName the throttle that refused
   * @param probability the rejection probability at the time, in [0, 1)
   * @param retryAfterNanos the hint; negative values count as zero
   */
  public ThrottledException(String throttleName, double probability, long retryAfterNanos) {
    super(throttleName, "AdaptiveThrottle '" + throttleName + "' refused the call locally (rejection probability "
        + Math.round(probability * 1000) / 10.0 + " %)");
    this.probability = probability;
    this.retryAfterNanos = Math.max(0, retryAfterNanos);
  }

  /** The rejection probability when the call was refused. */
  public double probability() {
    return probability;
  }

  /** One slice of the throttle's window; never negative. */
  @Override
  public Duration retryAfter() {
    return Duration.ofNanos(retryAfterNanos);
  }
}
