package dev.ballast.core;

/** Set by an operator: lets every call through and records nothing. Immutable. */
final class BreakerDisabled extends BreakerState {

  BreakerDisabled(long seq) {
    super(seq);
  }

  @Override
  CircuitBreaker.State kind() {
    return CircuitBreaker.State.DISABLED;
  }

  @Override
  boolean tryAcquire(DefaultCircuitBreaker breaker) {
    return true;
  }

  @Override
  void onResult(DefaultCircuitBreaker breaker, int outcome, long now) {}

  @Override
  CircuitBreaker.Snapshot snapshot(long now) {
    return new CircuitBreaker.Snapshot(CircuitBreaker.State.DISABLED, 0, 0, 0);
  }
}
