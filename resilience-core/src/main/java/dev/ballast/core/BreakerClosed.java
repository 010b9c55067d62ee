package dev.ballast.core;

/** Lets every call through and records it in its own window; opens when the window trips the rules. */
final class BreakerClosed extends BreakerState {

  private final BreakerWindow window;

  BreakerClosed(long seq, BreakerWindow window) {
    super(seq);
    this.window = window;
  }

  @Override
  CircuitBreaker.State kind() {
    return CircuitBreaker.State.CLOSED;
  }

  @Override
  boolean tryAcquire(DefaultCircuitBreaker breaker) {
    return true;
  }

  @Override
  void onResult(DefaultCircuitBreaker breaker, int outcome, long now) {
    window.record(outcome, now);
    // Only a failure or a slow call can raise a rate: a plain success never needs judging.
    if (outcome != BreakerOutcome.SUCCESS) {
      CircuitBreaker.Snapshot counts = window.snapshot(now);
      String reason = breaker.rules().tripReason(counts, breaker.rules().minimumCalls);
      if (reason != null) {
        breaker.open(this, counts, reason);
      }
    }
  }

  @Override
  CircuitBreaker.Snapshot snapshot(long now) {
    return window.snapshot(now);
  }
}
