package dev.ballast.cache.internal;

import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.core.internal.Check;
import java.util.concurrent.Executor;

/**
 * Assembles the read path of one cache from its settings and collaborators: the Redis read port, the
 * lease, the fill, the origin caller, the refresher, and the two drivers the facade calls.
 */
record ReadParts<K, V>(ReadPath<K, V> path, BulkRead<K, V> bulk) {

  /** {@code tier} null for an L1-only cache. */
  static <K, V> ReadParts<K, V> assemble(TieredCacheConfig config, Wiring<K, V> wiring, L1Store<K, V> l1,
      RedisTier tier, KeySpace keys, Ttls ttls, CacheMeters meters) {
    String name = config.name();
    long maxLeaseWaitNanos = Check.saturatedNanos(config.maxLeaseWait());
    long redisTimeoutNanos = Check.saturatedNanos(config.redisTimeout());
    Executor executor = LoaderPool.callerRunsWhenRefused(wiring.executor());
    EntryReader<V> reader = new EntryReader<>(name, wiring.valueCodec(), meters);
    RedisReads<V> reads = tier == null ? null : new RedisReads<>(tier, reader, meters, redisTimeoutNanos);
    FleetLease<V> lease = tier == null ? null : new FleetLease<>(reads, keys, reader, meters, wiring.ticker(),
        config.leaseTtl().toMillis(), maxLeaseWaitNanos);
    Fill<K, V> fill = new Fill<>(l1, reads, lease, reader, wiring.valueCodec(), ttls, wiring.ticker(), meters,
        config.maxEncodedSize());
    OriginCaller<K, V> caller = new OriginCaller<>(fill, wiring.ticker(), executor);
    // Refreshes are skipped, not run in the caller, when the executor is full: the stale value is served.
    Refresher<K, V> refresher = new Refresher<>(name, l1, lease, reads, keys, wiring.keyCodec(), caller,
        wiring.ticker(), wiring.executor(), executor);
    ReadPlanner planner = new ReadPlanner(tier != null, config.staleWhileRevalidate(), config.earlyRefreshBeta(),
        config.keepL1DuringOutage());
    ReadPath<K, V> path = new ReadPath<>(name, l1, reads, lease, keys, wiring.keyCodec(), planner, caller, refresher,
        wiring.ticker(), meters, executor, wiring.spareOrigin(), wiring.sparedFallback(), maxLeaseWaitNanos,
        redisTimeoutNanos);
    BulkRead<K, V> bulk = new BulkRead<>(path, fill);
    return new ReadParts<>(path, bulk);
  }
}
