package dev.ballast.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ballast.core.Ticker;

/**
 * Benchmark-only (it lives in the cache's internal package to reach {@link L1Entry} and {@link CoarseClock}):
 * the floor of an expiring L1 hit as the cache's L1 does it, for {@code CacheL1HitBenchmark} (issue 17).
 * A Caffeine map, size-bounded like L1's, holding the cache's own {@link L1Entry}, whose deadline is
 * compared with the cache's own coarse clock: one lookup, one dereference, one volatile load, one compare.
 * Nothing of the cache's facade, metrics or flights.
 */
public final class L1HitFloor {

  private final Cache<String, L1Entry<String>> cache = Caffeine.newBuilder().maximumSize(10_000).build();

  /** Fills the map with entries that never expire; starts the coarse clock (see {@link #close}). */
  public L1HitFloor(String[] keys, String[] values) {
    CoarseClock.INSTANCE.acquire();
    for (int i = 0; i < keys.length; i++) {
      cache.put(keys[i], new L1Entry<>(values[i], Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE));
    }
  }

  /** The value if the entry is present and its L1 deadline not past, else null. */
  public String get(String key) {
    L1Entry<String> entry = cache.getIfPresent(key);
    return entry != null && CoarseClock.now() - entry.l1Until < 0 ? entry.value : null;
  }

  /** The cache's coarse clock, started: for a contender that needs a ticker; {@link #releaseClock} after. */
  public static Ticker acquireClock() {
    return CoarseClock.INSTANCE.acquire();
  }

  /** Stops using the coarse clock (its thread ends with its last user). */
  public static void releaseClock() {
    CoarseClock.INSTANCE.release();
  }

  /** Stops using the coarse clock. */
  public void close() {
    releaseClock();
  }
}
