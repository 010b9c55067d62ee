package dev.ballast.core;

import java.time.Duration;

/**
 * A {@link ConcurrencyLimiter} was at its limit (and the call's partition at its guaranteed share); the
 * action was not run. Rejections are immediate, never queued. {@link #retryAfter()} is about one call's
 * latency, by which time the calls in flight have usually finished; an HTTP layer can answer {@code 503}
 * with a {@code Retry-After} header.
 */
public class ConcurrencyLimitExceededException extends CallRejectedException implements RetryAfterHint {

  private static final long serialVersionUID = 1L;

  private final String partition;
  private final int limit;
  private final long retryAfterNanos;

  /**
   * @param limiterName the limiter that refused
   * @param partition the call's partition
   * @param limit the limit at the time
   * @param retryAfterNanos the hint, in nanoseconds; negative values count as zero
   */
  public ConcurrencyLimitExceededException(String limiterName, String partition, int limit,
      long retryAfterNanos) {
    super(limiterName, "ConcurrencyLimiter '" + limiterName + "' is at its limit of " + limit
        + " calls (partition '" + partition + "')");
    this.partition = partition;
    this.limit = limit;
    this.retryAfterNanos = Math.max(0, retryAfterNanos);
  }

  /** The partition of the refused call. */
  public String partition() {
    return partition;
  }

  /** The limit when the call was refused. */
  public int limit() {
    return limit;
  }

  /** About one call's latency; never negative. */
  @Override
  public Duration retryAfter() {
    return Duration.ofNanos(retryAfterNanos);
  }
}
