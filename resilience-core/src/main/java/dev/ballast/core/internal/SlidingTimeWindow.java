package dev.ballast.core.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts events over the last {@code bucketCount × bucketNanos} nanoseconds, in a fixed number of
 * counters (for example calls, failures, slow calls).
 *
 * <p>Design: a ring of buckets, each an immutable epoch (which bucket period it counts) plus striped
 * {@link LongAdder}s. A writer whose bucket slot holds an older epoch replaces it with a fresh bucket by
 * one CAS; that is the only allocation, once per bucket period. No locks. A writer that read the old
 * bucket just before the swap may add to it after it left the ring: the window can under-count the
 * events of those few nanoseconds, which every user of this class (breaker ratios, retry budgets)
 * tolerates. Readers sum the buckets whose epoch lies inside the window.
 */
public final class SlidingTimeWindow {

  private final long bucketNanos;
  private final int bucketCount;
  private final int counters;
  private final AtomicReferenceArray<Bucket> ring;

  private static final class Bucket {
    final long epoch;
    final LongAdder[] counts;

    Bucket(long epoch, int counters) {
      this.epoch = epoch;
      this.counts = new LongAdder[counters];
      for (int i = 0; i < counters; i++) {
        counts[i] = new LongAdder();
      }
    }
  }

  /**
   * @param bucketCount how many buckets make the window (at least 1)
   * @param bucketNanos the length of one bucket
   * @param counters how many separate counts each bucket keeps
   */
  public SlidingTimeWindow(int bucketCount, long bucketNanos, int counters) {
    this.bucketCount = Check.atLeast(bucketCount, 1, "SlidingTimeWindow.bucketCount");
    this.bucketNanos = Check.atLeast(bucketNanos, 1, "SlidingTimeWindow.bucketNanos");
    this.counters = Check.atLeast(counters, 1, "SlidingTimeWindow.counters");
    this.ring = new AtomicReferenceArray<>(bucketCount);
  }

  /** The length of the whole window in nanoseconds. */
  public long windowNanos() {
    return bucketNanos * bucketCount;
  }

  /** Adds {@code delta} to counter {@code counter} at time {@code now}. */
  public void add(long now, int counter, long delta) {
    Bucket bucket = current(now);
    if (bucket != null) {
      bucket.counts[counter].add(delta);
    }
  }

  /** Returns counter {@code counter} summed over the window that ends at {@code now}. */
  public long sum(long now, int counter) {
    long epoch = Math.floorDiv(now, bucketNanos);
    long total = 0;
    for (int i = 0; i < bucketCount; i++) {
      Bucket bucket = ring.get(i);
      if (bucket != null && inWindow(epoch, bucket.epoch)) {
        total += bucket.counts[counter].sum();
      }
    }
    return total;
  }

  /** Fills {@code into[c]} with counter {@code c} summed over the window that ends at {@code now}. */
  public void sums(long now, long[] into) {
    long epoch = Math.floorDiv(now, bucketNanos);
    java.util.Arrays.fill(into, 0L);
    for (int i = 0; i < bucketCount; i++) {
      Bucket bucket = ring.get(i);
      if (bucket != null && inWindow(epoch, bucket.epoch)) {
        for (int c = 0; c < counters && c < into.length; c++) {
          into[c] += bucket.counts[c].sum();
        }
      }
    }
  }

  /** Forgets every count. */
  public void clear() {
    for (int i = 0; i < bucketCount; i++) {
      ring.set(i, null);
    }
  }

  private boolean inWindow(long currentEpoch, long bucketEpoch) {
    long age = currentEpoch - bucketEpoch;
    return age >= 0 && age < bucketCount;
  }

  /** The bucket for {@code now}, rolled over if needed; null when {@code now} is older than the ring. */
  private Bucket current(long now) {
    long epoch = Math.floorDiv(now, bucketNanos);
    int slot = (int) Math.floorMod(epoch, (long) bucketCount);
    while (true) {
      Bucket bucket = ring.get(slot);
      if (bucket != null && bucket.epoch == epoch) {
        return bucket;
      }
      if (bucket != null && bucket.epoch > epoch) {
        return null; // a reading taken before a rollover another thread already did: too old to count
      }
      Bucket fresh = new Bucket(epoch, counters);
      if (ring.compareAndSet(slot, bucket, fresh)) {
        return fresh;
      }
    }
  }
}
