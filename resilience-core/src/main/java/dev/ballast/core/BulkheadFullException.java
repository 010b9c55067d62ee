package dev.ballast.core;

import java.time.Duration;

/**
 * A {@link Bulkhead} had no free slot for the call (within its {@link BulkheadConfig#maxWait() maxWait});
 * the action was not run. {@link #retryAfter()} is about one call's duration, the time in which a slot
 * usually frees, so a {@code Retry} waits that long and an HTTP layer can answer {@code 503} with a
 * {@code Retry-After} header.
 */
public class BulkheadFullException extends CallRejectedException implements RetryAfterHint {

  private static final long serialVersionUID = 1L;

  private final long retryAfterNanos;

  /**
   * @param bulkheadName the name of the bulkhead that refused
   * @param maxConcurrentCalls its bound, for the message
   * @param retryAfterNanos the hint, in nanoseconds; negative values count as zero
   */
  public BulkheadFullException(String bulkheadName, int maxConcurrentCalls, long retryAfterNanos) {
    super(bulkheadName, "Bulkhead '" + bulkheadName + "' is full (" + maxConcurrentCalls + " calls running)");
    this.retryAfterNanos = Math.max(0, retryAfterNanos);
  }

  /**
   * Refused because the queue of waiting asynchronous calls was full too.
   *
   * @param bulkheadName the name of the bulkhead that refused
   * @param maxConcurrentCalls its bound, for the message
   * @param maxWaitingCalls its bound on waiting calls, for the message
   * @param retryAfterNanos the hint, in nanoseconds; negative values count as zero
   */
  public BulkheadFullException(String bulkheadName, int maxConcurrentCalls, int maxWaitingCalls,
      long retryAfterNanos) {
    super(bulkheadName, "Bulkhead '" + bulkheadName + "' is full (" + maxConcurrentCalls + " calls running, "
        + maxWaitingCalls + " waiting)");
    this.retryAfterNanos = Math.max(0, retryAfterNanos);
  }

  /** About one call's duration; never negative. */
  @Override
  public Duration retryAfter() {
    return Duration.ofNanos(retryAfterNanos);
  }
}
