package dev.ballast.cache.internal;

import dev.ballast.cache.TieredCacheConfig;
import java.util.concurrent.ThreadLocalRandom;

/** The TTLs a write gets, in milliseconds, with jitter applied. Immutable. */
final class Ttls {

  private final long ttlMs;
  private final long staleMs;
  private final long negativeMs;
  private final double jitter;

  Ttls(TieredCacheConfig config) {
    this.ttlMs = config.ttl().toMillis();
    this.staleMs = config.staleTtl().toMillis();
    this.negativeMs = config.negativeTtl().toMillis();
    this.jitter = config.ttlJitter();
  }

  /** Whether an absent value is cached at all. */
  boolean cachesAbsence() {
    return negativeMs > 0;
  }

  /** Soft expiry for a new entry: the TTL shortened by a random fraction up to the jitter. */
  long softMs(boolean absent) {
    if (absent) {
      return negativeMs;
    }
    if (jitter == 0) {
      return ttlMs;
    }
    return Math.max(1, ttlMs - (long) (ttlMs * jitter * ThreadLocalRandom.current().nextDouble()));
  }

  /** Hard expiry for an entry with soft expiry {@code softMs}: absences are never served stale. */
  long hardMs(long softMs, boolean absent) {
    return absent ? softMs : softMs + staleMs;
  }
}
