package dev.ballast.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets exactly {@code probes} calls through; once that many have reported, the breaker opens again or
 * closes, decided by the same rates as in the closed state. If the probes are all out and have not all
 * reported {@code maxWaitNanos} after the last one was let through, the next refused request opens the
 * breaker again: a probe that hangs or is never reported must not keep the breaker half-open for good.
 *
 * <p>Design: four counters, no lock. {@code permits} is taken and given back by CAS and never exceeds
 * {@code probes}. Each report adds to {@code failed} / {@code slow} before it increments
 * {@code reported}, so the one report whose increment reaches {@code probes} sees all the counts before
 * it; only that report decides, and later reports (calls permitted before this state began) are ignored.
 * With a timeout, each grant writes its time to the volatile {@code lastGrantAt} before its CAS on
 * {@code permits}, so a request that finds no permit left sees the time of the grant that took the last
 * one (or a later one) and cannot give up on a probe that was just let through. The timeout is only
 * checked on the refusing path: while permits are left the breaker is not stuck, and timing the probes
 * from the state's start instead would reopen a breaker whose probes trickle in slowly but healthily.
 */
final class BreakerHalfOpen extends BreakerState {

  private final int probes;
  /** 0: wait for the probes forever (and never read the ticker). */
  private final long maxWaitNanos;
  private final AtomicInteger permits;
  private final AtomicInteger reported = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger slow = new AtomicInteger();
  /** Ticker time of the latest grant (initially of this state's start); used only with a timeout. */
  private volatile long lastGrantAt;

  BreakerHalfOpen(long seq, int probes, long maxWaitNanos, long startedAt) {
    super(seq);
    this.probes = probes;
    this.maxWaitNanos = maxWaitNanos;
    this.permits = new AtomicInteger(probes);
    this.lastGrantAt = startedAt;
  }

  @Override
  CircuitBreaker.State kind() {
    return CircuitBreaker.State.HALF_OPEN;
  }

  @Override
  boolean tryAcquire(DefaultCircuitBreaker breaker) {
    long now = maxWaitNanos == 0 ? 0 : breaker.ticker().read();
    int left;
    do {
      left = permits.get();
      if (left <= 0) {
        if (maxWaitNanos != 0 && now - lastGrantAt >= maxWaitNanos) {
          breaker.probesTimedOut(this, snapshot(now));
        }
        return false;
      }
      lastGrantAt = now; // before the CAS: see the class comment
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
