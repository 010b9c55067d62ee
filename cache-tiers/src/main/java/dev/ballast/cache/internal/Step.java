package dev.ballast.cache.internal;

/**
 * Where the tiers left a flight's leader: a value found (already stored in L1), or a call of the origin
 * to make ({@link OriginCall}). Shared by every entry point; only how the origin is called differs.
 */
sealed interface Step<K, V> permits Step.Found, OriginCall {

  /** A value found in a tier, or filled by another instance meanwhile; already stored in L1. */
  record Found<K, V>(V value) implements Step<K, V> {}
}
