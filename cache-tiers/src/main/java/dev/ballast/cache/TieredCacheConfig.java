package dev.ballast.cache;

import dev.ballast.core.internal.Check;
import java.time.Duration;

/**
 * The validated, immutable settings of a {@link TieredCache}; built by {@link TieredCacheBuilder}.
 *
 * @param name names the cache in keys, channels, logs and meter tags
 * @param keyPrefix prefix of every Redis key and of the invalidation channel
 * @param l1MaximumSize most entries kept in process
 * @param l1Ttl how long an L1 entry is served without asking Redis (an upper bound on L1 staleness)
 * @param ttl how long a value is fresh (its soft expiry), in both tiers
 * @param staleTtl how long after {@code ttl} a value may still be served stale (its hard expiry is
 *     {@code ttl + staleTtl}); zero for none
 * @param staleWhileRevalidate serve a stale value at once and refresh it in the background; when false, a
 *     stale value is served only if the reload fails (stale-if-error)
 * @param ttlJitter fraction in [0, 1) by which each written TTL is randomly shortened, so keys written
 *     together do not expire together
 * @param earlyRefreshBeta XFetch's beta (Vattani et al., VLDB 2015) for probabilistic early refresh; zero
 *     for off, 1 as the paper recommends
 * @param negativeTtl how long an absent value (loader returned null) is cached; zero for not at all
 * @param maxEncodedSize most bytes an encoded value may take in Redis
 * @param leaseTtl how long a fleet-wide load lease lasts before another instance may take over
 * @param maxLeaseWait longest a caller waits for another instance's load before loading itself
 * @param redisTimeout longest a single Redis call is waited for
 * @param invalidation whether writes are broadcast to the other instances' L1
 * @param invalidationBatchWindow how long invalidations are gathered into one message; zero sends each
 * @param l1TtlWhileDisconnected cap on {@code l1Ttl} while the invalidation subscription is down or Redis
 *     does not answer: the bound on L1 staleness in those states
 * @param keepL1DuringOutage while Redis cannot be asked, serve an L1 entry up to its soft expiry
 *     (availability over freshness) instead of loading it again after {@code l1TtlWhileDisconnected}
 * @param warmUpChunk most keys a {@link TieredCache#warm} call reads, leases and loads at once (one
 *     {@code MGET}, one pipelined lease call, one bulk-loader call per chunk, the chunks one after the
 *     other), so that no one Redis call of a large warm-up runs past {@code redisTimeout}
 * @param warmUpWait longest {@link TieredCache#warmUp} waits for the warm-up (a start's bound); it goes on
 *     in the background after that
 */
public record TieredCacheConfig(
    String name,
    String keyPrefix,
    long l1MaximumSize,
    Duration l1Ttl,
    Duration ttl,
    Duration staleTtl,
    boolean staleWhileRevalidate,
    double ttlJitter,
    double earlyRefreshBeta,
    Duration negativeTtl,
    int maxEncodedSize,
    Duration leaseTtl,
    Duration maxLeaseWait,
    Duration redisTimeout,
    boolean invalidation,
    Duration invalidationBatchWindow,
    Duration l1TtlWhileDisconnected,
    boolean keepL1DuringOutage,
    int warmUpChunk,
    Duration warmUpWait) {

  /**
   * Validates every field.
   *
   * @throws IllegalArgumentException naming the first bad field
   * @throws NullPointerException naming the first null field
   */
  public TieredCacheConfig {
    Check.notBlank(name, "TieredCache.name");
    Check.notBlank(keyPrefix, "TieredCache.keyPrefix");
    if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) { // KeySpace adds one hash tag per key
      throw new IllegalArgumentException("TieredCache.keyPrefix must not contain '{' or '}', was '" + keyPrefix + "'");
    }
    Check.atLeast(l1MaximumSize, 0, "TieredCache.l1MaximumSize");
    Check.positive(l1Ttl, "TieredCache.l1Ttl");
    Check.positive(ttl, "TieredCache.ttl");
    Check.atLeast(ttl.toMillis(), 1, "TieredCache.ttl in milliseconds");
    Check.notNegative(staleTtl, "TieredCache.staleTtl");
    if (staleWhileRevalidate && staleTtl.isZero()) {
      throw new IllegalArgumentException("TieredCache.staleWhileRevalidate needs a positive staleTtl");
    }
    if (!(ttlJitter >= 0.0 && ttlJitter < 1.0)) {
      throw new IllegalArgumentException("TieredCache.ttlJitter must be in [0, 1), was " + ttlJitter);
    }
    Check.atLeast(earlyRefreshBeta, 0.0, "TieredCache.earlyRefreshBeta");
    Check.notNegative(negativeTtl, "TieredCache.negativeTtl");
    Check.atLeast(maxEncodedSize, 1, "TieredCache.maxEncodedSize");
    Check.positive(leaseTtl, "TieredCache.leaseTtl");
    Check.atLeast(leaseTtl.toMillis(), 1, "TieredCache.leaseTtl in milliseconds");
    Check.notNegative(maxLeaseWait, "TieredCache.maxLeaseWait");
    Check.positive(redisTimeout, "TieredCache.redisTimeout");
    Check.notNegative(invalidationBatchWindow, "TieredCache.invalidationBatchWindow");
    Check.positive(l1TtlWhileDisconnected, "TieredCache.l1TtlWhileDisconnected");
    Check.atLeast(warmUpChunk, 1, "TieredCache.warmUpChunk");
    Check.notNegative(warmUpWait, "TieredCache.warmUpWait");
  }

  /** The hard expiry: how long a value is kept at all. */
  public Duration hardTtl() {
    return ttl.plus(staleTtl);
  }
}
