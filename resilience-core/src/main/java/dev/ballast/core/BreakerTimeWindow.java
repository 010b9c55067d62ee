package dev.ballast.core;

import dev.ballast.core.internal.SlidingTimeWindow;

/**
 * The outcomes of the calls that ended in the last {@code windowNanos}: a {@link SlidingTimeWindow} with
 * three counters. Lock-free; a success adds to one striped counter.
 */
final class BreakerTimeWindow implements BreakerWindow {

  private static final int CALLS = 0;
  private static final int FAILED = 1;
  private static final int SLOW = 2;

  private final SlidingTimeWindow window;

  BreakerTimeWindow(int buckets, long windowNanos) {
    this.window = new SlidingTimeWindow(buckets, windowNanos / buckets, 3);
  }

  @Override
  public void record(int outcome, long now) {
    window.add(now, CALLS, 1);
    if (BreakerOutcome.failed(outcome)) {
      window.add(now, FAILED, 1);
    }
    if (BreakerOutcome.slow(outcome)) {
      window.add(now, SLOW, 1);
    }
  }

  @Override
  public CircuitBreaker.Snapshot snapshot(long now) {
    long[] sums = new long[3];
    window.sums(now, sums);
    return new CircuitBreaker.Snapshot(
        CircuitBreaker.State.CLOSED, saturate(sums[CALLS]), saturate(sums[FAILED]), saturate(sums[SLOW]));
  }

  @Override
  public boolean usesTime() {
    return true;
  }

  private static int saturate(long count) {
    return (int) Math.min(count, Integer.MAX_VALUE);
  }
}
