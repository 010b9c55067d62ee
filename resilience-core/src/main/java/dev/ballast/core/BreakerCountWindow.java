package dev.ballast.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outcomes of the last {@code size} calls.
 *
 * <p>Design: a ring of one-byte outcome slots, a call index and two counters (failed and slow slots).
 * A writer takes the next index ({@code getAndIncrement}), swaps its outcome into slot
 * {@code index % size} and moves the counters by the difference between the new and the evicted
 * outcome. The common case, a success evicting a success, is seen with one read of the slot and writes
 * nothing but the index; a success while the window is full and holds only successes writes nothing at
 * all (it would evict a success for a success). No locks, no allocation. The counters always equal the
 * sums over the slots' contents once writers are quiet; while several calls race for the same slot
 * (they are {@code size} calls apart) the slot keeps one of them, so under concurrency the window is the
 * last {@code size} calls give or take the ones in flight. Readers may see the index moved before the
 * slot: the counts they read can lag by the calls in flight, never drift.
 */
final class BreakerCountWindow implements BreakerWindow {

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(byte[].class);

  private final int size;
  /** {@code size - 1} when size is a power of two (the slot is then a mask away), else -1. */
  private final int mask;
  private final byte[] slots;
  private final AtomicLong index = new AtomicLong();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger slow = new AtomicInteger();

  BreakerCountWindow(int size) {
    this.size = size;
    this.mask = Integer.bitCount(size) == 1 ? size - 1 : -1;
    this.slots = new byte[size]; // all SUCCESS, which evicting adjusts nothing for
  }

  @Override
  public void record(int outcome, long now) {
    // A full window of successes stays a full window of successes after one more: such a call is placed
    // before any outcome racing with it and writes nothing, so threads sharing a healthy breaker only read
    // shared lines (issue 17: at 2 threads the index's cache line moved between cores on every call).
    if (outcome == BreakerOutcome.SUCCESS && failed.get() == 0 && slow.get() == 0 && index.get() >= size) {
      return;
    }
    long i = index.getAndIncrement();
    int slot = mask >= 0 ? (int) (i & mask) : (int) (i % size);
    if ((byte) SLOTS.getAcquire(slots, slot) == outcome) {
      return; // the slot already holds this outcome: neither it nor the counters change
    }
    int evicted = (byte) SLOTS.getAndSet(slots, slot, (byte) outcome);
    if (evicted == outcome) {
      return;
    }
    int failedDelta = (outcome & BreakerOutcome.FAILURE) - (evicted & BreakerOutcome.FAILURE);
    if (failedDelta != 0) {
      failed.addAndGet(failedDelta);
    }
    int slowDelta = ((outcome & BreakerOutcome.SLOW_SUCCESS) - (evicted & BreakerOutcome.SLOW_SUCCESS)) >> 1;
    if (slowDelta != 0) {
      slow.addAndGet(slowDelta);
    }
  }

  @Override
  public CircuitBreaker.Snapshot snapshot(long now) {
    int buffered = (int) Math.min(index.get(), size);
    // Two racing writers may apply their deltas in either order: clamp the brief excursions.
    int failedNow = Math.max(0, Math.min(buffered, failed.get()));
    int slowNow = Math.max(0, Math.min(buffered, slow.get()));
    return new CircuitBreaker.Snapshot(CircuitBreaker.State.CLOSED, buffered, failedNow, slowNow);
  }

  @Override
  public boolean usesTime() {
    return false;
  }
}
