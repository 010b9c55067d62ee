package dev.ballast.core;

import java.time.Duration;

/**
 * A {@link CircuitBreaker} refused a call because it is open, forced open, or half-open with all its
 * probe calls taken. The action was not run. As a {@link RetryAfterHint} it tells a {@code Retry} how
 * long the breaker will keep rejecting calls.
 */
public class CircuitOpenException extends CallRejectedException implements RetryAfterHint {

  private static final long serialVersionUID = 1L;

  private final CircuitBreaker.State state;
  private final long remainingOpenNanos;

  /**
   * @param breakerName the breaker's name
   * @param state the state that rejected the call
   * @param remainingOpenNanos how long the breaker will still reject calls ({@link Long#MAX_VALUE}:
   *     until an operator acts); negative values are taken as 0
   */
  public CircuitOpenException(String breakerName, CircuitBreaker.State state, long remainingOpenNanos) {
    super(breakerName, message(breakerName, state, Math.max(0, remainingOpenNanos)));
    this.state = state;
    this.remainingOpenNanos = Math.max(0, remainingOpenNanos);
  }

  private static String message(String name, CircuitBreaker.State state, long remaining) {
    String why;
    if (state == CircuitBreaker.State.HALF_OPEN) {
      why = "all probe calls are taken";
    } else if (remaining == Long.MAX_VALUE) {
      why = "it stays open until an operator closes it";
    } else {
      why = "it stays open for another " + Duration.ofNanos(remaining).toMillis() + " ms";
    }
    return "CircuitBreaker '" + name + "' is " + state + ", call rejected: " + why;
  }

  /** The state that rejected the call. */
  public CircuitBreaker.State state() {
    return state;
  }

  /** How long the breaker will still reject calls, in nanoseconds; {@link Long#MAX_VALUE} if forced. */
  public long remainingOpenNanos() {
    return remainingOpenNanos;
  }

  /** {@link #remainingOpenNanos()} as a duration. */
  @Override
  public Duration retryAfter() {
    return Duration.ofNanos(remainingOpenNanos);
  }
}
