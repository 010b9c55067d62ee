package dev.ballast.core;

/**
 * Rejects calls until {@code openNanos} after it began; the first permission request after that moves
 * the breaker to half-open. Immutable.
 */
final class BreakerOpen extends BreakerState {

  private final long openedAt;
  private final long openNanos;
  private final CircuitBreaker.Snapshot trippedBy;

  BreakerOpen(long seq, long openedAt, long openNanos, CircuitBreaker.Snapshot trippedBy) {
    super(seq);
    this.openedAt = openedAt;
    this.openNanos = openNanos;
    this.trippedBy = new CircuitBreaker.Snapshot(CircuitBreaker.State.OPEN,
        trippedBy.bufferedCalls(), trippedBy.failedCalls(), trippedBy.slowCalls());
  }

  @Override
  CircuitBreaker.State kind() {
    return CircuitBreaker.State.OPEN;
  }

  @Override
  boolean tryAcquire(DefaultCircuitBreaker breaker) {
    long now = breaker.ticker().read();
    if (remainingOpenNanos(now) > 0) {
      return false;
    }
    breaker.halfOpen(this, now);
    // Whoever won the race installed the successor; ask it (it is never this instance again).
    BreakerState next = breaker.current();
    return next != this && next.tryAcquire(breaker);
  }

  @Override
  void onResult(DefaultCircuitBreaker breaker, int outcome, long now) {
    // A call permitted before the breaker opened: too late to matter.
  }

  @Override
  CircuitBreaker.Snapshot snapshot(long now) {
    return trippedBy;
  }

  @Override
  long remainingOpenNanos(long now) {
    // Differences, never openedAt + openNanos, so that a huge openDuration cannot overflow.
    long elapsed = Math.max(0, now - openedAt);
    return Math.max(0, openNanos - elapsed);
  }
}
