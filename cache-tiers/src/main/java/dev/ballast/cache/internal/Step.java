package dev.ballast.cache.internal;

/**
 * What the tiers decided for a flight's leader: a value found (already stored in L1), or a call of the
 * origin to make ({@link OriginLoad.Call}). The decision is shared by the blocking and the asynchronous
 * miss; only how the origin is called differs.
 */
sealed interface Step<K, V> permits Step.Found, OriginLoad.Call {

  /** A value found in a tier, or filled by another instance meanwhile; already stored in L1. */
  record Found<K, V>(V value) implements Step<K, V> {}
}
