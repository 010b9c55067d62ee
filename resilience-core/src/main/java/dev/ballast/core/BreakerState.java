package dev.ballast.core;

/**
 * One state of a breaker, the value behind its single {@code AtomicReference}. A state never changes
 * into another: the breaker replaces it by CAS ({@link DefaultCircuitBreaker#transition}), and a report
 * that arrives after the swap lands on the old instance, which no longer matters. A state's own mutable
 * parts (the closed window, the half-open permits) are lock-free counters reached only through it.
 */
abstract sealed class BreakerState
    permits BreakerClosed, BreakerOpen, BreakerHalfOpen, BreakerForcedOpen, BreakerDisabled {

  /**
   * The position in the breaker's chain of states: the initial state is 0 and each successor is its
   * predecessor's plus one. Since every successor is installed by CAS over its predecessor, the numbers
   * of the states that were ever current are consecutive, which lets events be delivered in order.
   */
  final long seq;

  BreakerState(long seq) {
    this.seq = seq;
  }

  abstract CircuitBreaker.State kind();

  /** Whether a call may be made now; may move the breaker on (open to half-open). */
  abstract boolean tryAcquire(DefaultCircuitBreaker breaker);

  /** A permitted call ended with {@code outcome} (never ignored); {@code now} as in {@link BreakerWindow}. */
  abstract void onResult(DefaultCircuitBreaker breaker, int outcome, long now);

  /** A permitted call will not be reported (never made, or its exception is ignored). */
  void release() {}

  abstract CircuitBreaker.Snapshot snapshot(long now);

  long remainingOpenNanos(long now) {
    return 0;
  }

  @Override
  public String toString() {
    return kind() + "#" + seq;
  }
}
