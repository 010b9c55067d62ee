package dev.ballast.cache.internal;

/**
 * Counts L1 hits without an atomic instruction: a hit is the cache's hottest path and its budget (1.3 ×
 * a Caffeine lookup) has no room for the CAS of a {@code LongAdder}. Each thread adds to the stripe its
 * id picks with a plain write; stripes are 64 bytes apart so threads on different stripes never share a
 * cache line. Two threads whose ids pick the same stripe may, rarely, lose an increment of each other:
 * the count is exact with at most one thread per stripe and otherwise a close lower bound, which is what
 * a hit-ratio metric needs. Reads sum the stripes without synchronization (a metric scrape may see a
 * count a few increments old).
 */
final class HitCounter {

  private static final int STRIPES = 64;
  private static final int PAD = 8; // longs per 64-byte line
  private final long[] counts = new long[STRIPES * PAD];

  void increment() {
    counts[(int) (Thread.currentThread().getId() & (STRIPES - 1)) * PAD]++;
  }

  long sum() {
    long sum = 0;
    for (int i = 0; i < STRIPES; i++) {
      sum += counts[i * PAD];
    }
    return sum;
  }
}
