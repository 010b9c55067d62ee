package dev.ballast.core;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * A {@link RateLimiter} had no permit for the call within its
 * {@link RateLimiterConfig#maxWait() maxWait}; the action was not run. {@link #retryAfter()} says when a
 * permit would be free, so a {@code Retry} waits that long instead of its backoff delay, and an HTTP layer
 * can turn it into {@code 429 Too Many Requests} with a {@code Retry-After} header.
 */
public class RateLimitExceededException extends CallRejectedException implements RetryAfterHint {

  private static final long serialVersionUID = 1L;

  private final long nanosToWait;

  /**
   * @param limiterName the name of the limiter that refused
   * @param nanosToWait when a permit would be free, in nanoseconds; negative values count as zero
   */
  public RateLimitExceededException(String limiterName, long nanosToWait) {
    super(limiterName, "RateLimiter '" + limiterName + "' has no permit free for another "
        + format(Math.max(0, nanosToWait)));
    this.nanosToWait = Math.max(0, nanosToWait);
  }

  /** When a permit would be free, in nanoseconds; never negative. */
  public long nanosToWait() {
    return nanosToWait;
  }

  /** When a permit would be free; never negative. */
  @Override
  public Duration retryAfter() {
    return Duration.ofNanos(nanosToWait);
  }

  /** "100 ms", "1.5 ms", "0.000125 ms": exact, and readable in the common cases. */
  private static String format(long nanos) {
    return BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + " ms";
  }
}
