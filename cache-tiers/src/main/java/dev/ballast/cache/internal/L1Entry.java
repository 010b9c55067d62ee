package dev.ballast.cache.internal;

/**
 * What L1 holds for a key: the value (null for a cached absence) and three deadlines in ticker nanos.
 * Immutable, so a hit reads it without a lock; an entry is replaced, never changed.
 */
final class L1Entry<V> {

  final V value;
  /** Served from L1 without asking Redis until then: the soft expiry, capped by the L1 TTL. */
  final long l1Until;
  /** Fresh until then (the soft expiry). */
  final long softUntil;
  /** May be served stale until then (the hard expiry). */
  final long hardUntil;

  L1Entry(V value, long l1Until, long softUntil, long hardUntil) {
    this.value = value;
    this.l1Until = l1Until;
    this.softUntil = softUntil;
    this.hardUntil = hardUntil;
  }

  boolean fresh(long now) {
    return now - softUntil < 0;
  }

  boolean usable(long now) {
    return now - hardUntil < 0;
  }
}
