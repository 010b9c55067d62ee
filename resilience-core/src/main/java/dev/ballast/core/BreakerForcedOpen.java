package dev.ballast.core;

/** Set by an operator: rejects every call until the operator acts again. Immutable. */
final class BreakerForcedOpen extends BreakerState {

  BreakerForcedOpen(long seq) {
    super(seq);
  }

  @Override
  CircuitBreaker.State kind() {
    return CircuitBreaker.State.FORCED_OPEN;
  }

  @Override
  boolean tryAcquire(DefaultCircuitBreaker breaker) {
    return false;
  }

  @Override
  void onResult(DefaultCircuitBreaker breaker, int outcome, long now) {}

  @Override
  CircuitBreaker.Snapshot snapshot(long now) {
    return new CircuitBreaker.Snapshot(CircuitBreaker.State.FORCED_OPEN, 0, 0, 0);
  }

  @Override
  long remainingOpenNanos(long now) {
    return Long.MAX_VALUE;
  }
}
