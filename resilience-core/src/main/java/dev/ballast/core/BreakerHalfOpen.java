package dev.ballast.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets exactly {@code probes} calls through; once that many have reported, the breaker opens again or
 * closes, decided by the same rates as in the closed state.
 *
 * <p>Design: four counters, no lock. {@code permits} is taken and given back by CAS and never exceeds
 * {@code probes}. Each report adds to {@code failed} / {@code slow} before it increments
 * {@code reported}, so the one report whose increment reaches {@code probes} sees all the counts before
 * it; only that report decides, and later reports (calls permitted before this state began) are ignored.
 */
final class BreakerHalfOpen extends BreakerState {

  private final int probes;
  private final AtomicInteger permits;
  private final AtomicInteger reported = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger slow = new AtomicInteger();

  BreakerHalfOpen(long seq, int probes) {
    super(seq);
    this.probes = probes;
    this.permits = new AtomicInteger(probes);
  }

  @Override
  CircuitBreaker.State kind() {
    return CircuitBreaker.State.HALF_OPEN;
  }

  @Override
  boolean tryAcquire(DefaultCircuitBreaker breaker) {
    int left;
    do {
      left = permits.get();
      if (left <= 0) {
        return false;
      }
    } while (!permits.compareAndSet(left, left - 1));
    return true;
  }

  @Override
  void release() {
    int left;
    do {
      left = permits.get();
      if (left >= probes) {
        return; // more releases than permits: ignore rather than let extra probes through
      }
    } while (!permits.compareAndSet(left, left + 1));
  }

  @Override
  void onResult(DefaultCircuitBreaker breaker, int outcome, long now) {
    if (BreakerOutcome.failed(outcome)) {
      failed.incrementAndGet();
    }
    if (BreakerOutcome.slow(outcome)) {
      slow.incrementAndGet();
    }
    if (reported.incrementAndGet() == probes) {
      breaker.judgeProbes(this, new CircuitBreaker.Snapshot(
          CircuitBreaker.State.HALF_OPEN, probes, failed.get(), slow.get()));
    }
  }

  @Override
  CircuitBreaker.Snapshot snapshot(long now) {
    int done = Math.min(probes, reported.get());
    return new CircuitBreaker.Snapshot(CircuitBreaker.State.HALF_OPEN, done,
        Math.min(done, failed.get()), Math.min(done, slow.get()));
  }
}
