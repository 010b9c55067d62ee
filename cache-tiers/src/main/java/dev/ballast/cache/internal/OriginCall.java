package dev.ballast.cache.internal;

/**
 * A decided call of the origin for one key: under our fleet lease ({@code token} not null: the fill
 * writes Redis with it) or for this instance only (L1); with what may be served if it fails
 * ({@code stale} from Redis, {@code local} from L1).
 */
record OriginCall<K, V>(K key, Flight<V> flight, L1Entry<V> local, Decoded<V> stale, byte[] valueKey,
    byte[] leaseKey, byte[] token) implements Step<K, V> {

  boolean leased() {
    return token != null;
  }

  static <K, V> OriginCall<K, V> local(K key, Flight<V> flight, L1Entry<V> local, Decoded<V> stale) {
    return new OriginCall<>(key, flight, local, stale, null, null, null);
  }
}
