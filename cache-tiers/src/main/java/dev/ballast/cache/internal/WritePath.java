package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.cache.WriteResult;
import dev.ballast.core.Ticker;

/**
 * The write path: {@code put}, {@code invalidate}, {@code invalidateAll}. A put Redis did not apply becomes
 * an invalidation (L1 evicted here, the key deleted in Redis now or replayed later), reported by a
 * {@link WriteResult}. In Redis, a fill writes only while its lease token is still current
 * ({@code write.lua}); put and invalidate delete the lease, so a load that began before them cannot store
 * its older value.
 *
 * <p>State: none of its own; {@code tier} and {@code link} are null for an L1-only cache.
 */
final class WritePath<K, V> {

  private final TieredCacheConfig config;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final KeySpace keys;
  private final Ttls ttls;
  private final Ticker ticker;
  private final L1Store<K, V> l1;
  private final RedisTier tier;
  private final RedisLink<K> link;
  private final CacheMeters meters;

  WritePath(TieredCacheConfig config, Codec<K> keyCodec, Codec<V> valueCodec, KeySpace keys, Ttls ttls,
      Ticker ticker, L1Store<K, V> l1, RedisLink<K> link, CacheMeters meters) {
    this.config = config;
    this.keyCodec = keyCodec;
    this.valueCodec = valueCodec;
    this.keys = keys;
    this.ttls = ttls;
    this.ticker = ticker;
    this.l1 = l1;
    this.tier = link == null ? null : link.tier();
    this.link = link;
    this.meters = meters;
  }

  /** {@code TieredCache.put}, its arguments checked for null. */
  WriteResult put(K key, V value) {
    byte[] payload = valueCodec.encode(value);
    if (payload.length > config.maxEncodedSize()) {
      throw new IllegalArgumentException("TieredCache[" + config.name() + "].put value for key " + key
          + " encodes to " + payload.length + " bytes, over maxEncodedSize " + config.maxEncodedSize());
    }
    long softMs = ttls.softMs(false);
    long hardMs = ttls.hardMs(softMs, false);
    meters.puts.increment();
    if (tier == null) {
      storeWritten(key, value, softMs, hardMs);
      return WriteResult.APPLIED;
    }
    byte[] encodedKey = keyCodec.encode(key);
    RedisTier.Outcome written = tier.put(keys.value(encodedKey), keys.lease(encodedKey), softMs, hardMs, payload);
    if (written == RedisTier.Outcome.APPLIED) {
      meters.l2Puts.increment();
      link.applied(encodedKey);
      // After the Redis write: a flight that began before it is marked and will not store its older value;
      // one that begins after it reads the new value.
      storeWritten(key, value, softMs, hardMs);
      link.send(encodedKey);
      return WriteResult.APPLIED;
    }
    // Not taken: the older value must go everywhere (here at once; in Redis now, or at the replay). An
    // unanswered write is not followed by a delete now: it would wait behind it on the connection.
    WriteResult deleted = deleteEverywhere(key, encodedKey, written == RedisTier.Outcome.REFUSED);
    return deleted == WriteResult.APPLIED ? WriteResult.INVALIDATED : deleted;
  }

  private void storeWritten(K key, V value, long softMs, long hardMs) {
    l1.evict(key);
    long now = ticker.read();
    l1.store(key, l1.newFlight(), value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
  }

  /** {@code TieredCache.invalidate}, its key checked for null. */
  WriteResult invalidate(K key) {
    if (tier == null) {
      l1.evict(key);
      return WriteResult.APPLIED;
    }
    return deleteEverywhere(key, keyCodec.encode(key), true);
  }

  /**
   * Deletes the key in Redis (if {@code ask}), evicts it here and tells the other instances; a delete or
   * message Redis did not take is kept for replay ({@link WriteResult#DEFERRED}).
   */
  private WriteResult deleteEverywhere(K key, byte[] encodedKey, boolean ask) {
    RedisTier.Outcome deleted = ask ? tier.delete(keys.value(encodedKey), keys.lease(encodedKey))
        : RedisTier.Outcome.UNREACHED;
    l1.evict(key);
    if (deleted == RedisTier.Outcome.APPLIED) {
      link.send(encodedKey);
      return WriteResult.APPLIED;
    }
    meters.l2Unavailable.increment();
    link.defer(encodedKey);
    return WriteResult.DEFERRED;
  }

  /** {@code TieredCache.invalidateAll}. */
  WriteResult invalidateAll() {
    l1.clear();
    if (tier == null) {
      return WriteResult.APPLIED;
    }
    if (tier.deleteMatching(keys.pattern()) == RedisTier.Outcome.APPLIED) {
      link.sendAll();
      return WriteResult.APPLIED;
    }
    meters.l2Unavailable.increment();
    link.deferAll();
    return WriteResult.DEFERRED;
  }
}
