package dev.ballast.cache.internal;

import dev.ballast.cache.AsyncLoader;
import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.cache.WriteResult;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.redis.RedisGuard;
import io.micrometer.core.instrument.Gauge;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-level cache's facade: argument checks, the L1 hit path (one Caffeine lookup, one clock read, one
 * comparison), writes and lifecycle. A miss goes to the read path ({@link ReadPath} for one key,
 * {@link BulkRead} for many; see {@link ReadParts}), which every entry point shares. Collaborators: an
 * {@link L1Store} (L1, flights and their invalidation rules), a {@link RedisTier} (the write half of the
 * Redis port, guarded), a {@link RedisLink} (connection, subscription, heartbeat, writes Redis did not
 * take and their replay).
 *
 * <p>Shared state lives in the collaborators (each documents what protects it); this class adds the
 * closed flag. Writes: a put Redis did not apply becomes an invalidation (L1 evicted here, the key
 * deleted in Redis now or replayed later), reported by a {@link WriteResult}. In Redis, a fill writes
 * only while its lease token is still current ({@code write.lua}); put and invalidate delete the lease,
 * so a load that began before them cannot store its older value.
 */
final class DefaultTieredCache<K, V> implements TieredCache<K, V>, L1Peek<K> {

  private static final Logger log = LoggerFactory.getLogger(DefaultTieredCache.class);

  private final TieredCacheConfig config;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final Ticker ticker;
  private final boolean coarseHitClock;
  private final Executor executor;
  private final CacheMeters meters;
  private final L1Store<K, V> l1;
  private final KeySpace keys;
  private final Ttls ttls;
  private final RedisTier tier;
  /** Null for an L1-only cache. */
  private final RedisLink<K> link;
  private final ReadPath<K, V> path;
  private final BulkRead<K, V> bulk;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Builds the cache; use {@link TieredCache#builder}. */
  DefaultTieredCache(TieredCacheConfig config, Wiring<K, V> wiring) {
    this.config = Check.notNull(config, "config");
    this.keyCodec = wiring.keyCodec();
    this.valueCodec = wiring.valueCodec();
    this.ticker = wiring.ticker();
    this.coarseHitClock = ticker == Ticker.system();
    this.executor = wiring.executor();
    this.meters = new CacheMeters(config.name(), wiring.registry());
    this.l1 = new L1Store<>(config.l1MaximumSize(),
        wiring.redis() == null ? Long.MAX_VALUE : Check.saturatedNanos(config.l1Ttl()),
        Check.saturatedNanos(config.l1TtlWhileDisconnected()), ticker,
        coarseHitClock ? CoarseClock.INSTANCE.acquire() : ticker, meters);
    meters.size(l1, L1Store::size);
    this.keys = new KeySpace(config.keyPrefix());
    this.ttls = new Ttls(config);
    if (wiring.redis() == null) {
      this.tier = null;
      this.link = null;
    } else {
      String component = "cache:" + config.name();
      // Real time, not the cache's ticker: the breaker judges Redis's latency, and a test's frozen clock
      // would otherwise keep an opened breaker open for ever.
      RedisGuard guard = RedisGuard.create(component,
          wiring.redisBreaker() != null ? wiring.redisBreaker()
              : RedisGuard.defaultBreaker(component, Ticker.system()),
          Ticker.system(), wiring.registry());
      this.link = new RedisLink<>(config, wiring.redis(), l1, keyCodec, keys, meters, executor);
      this.tier = new RedisTier(wiring.redis(), guard, link, Check.saturatedNanos(config.redisTimeout()));
      link.start(tier);
      if (wiring.registry() != null) {
        if (config.invalidation()) {
          Gauge.builder("ballast.cache.subscription.up", l1, store -> store.subscriptionDown() ? 0 : 1)
              .description("1 while the invalidation subscription is up, 0 while L1 is capped for want of it")
              .tag("cache", config.name()).register(wiring.registry());
        }
        Gauge.builder("ballast.cache.invalidations.pending", link, RedisLink::pendingCount)
            .description("Invalidations Redis has not taken yet, kept for replay (one for 'all')")
            .tag("cache", config.name()).register(wiring.registry());
      }
    }
    ReadParts<K, V> parts = ReadParts.assemble(config, wiring, l1, tier, keys, ttls, meters);
    this.path = parts.path();
    this.bulk = parts.bulk();
  }

  // ---------------------------------------------------------------- reads (the misses: ReadPath, BulkRead)

  @Override
  public V get(K key, Loader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("get", key);
    }
    L1Entry<V> entry = l1.getIfPresent(key);
    if (l1.servable(entry)) {
      meters.l1Hits.increment();
      return entry.value;
    }
    return path.get(key, Origin.blocking(loader));
  }

  @Override
  public Object peek(K key) {
    L1Entry<V> entry = l1.getIfPresent(key);
    if (l1.servable(entry)) {
      meters.l1Hits.increment();
      return entry.value;
    }
    return MISS;
  }

  @Override
  public CompletableFuture<V> getAsyncWithBlockingLoader(K key, Loader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsyncWithBlockingLoader", key);
    }
    L1Entry<V> entry = l1.getIfPresent(key);
    if (l1.servable(entry)) {
      meters.l1Hits.increment();
      return CompletableFuture.completedFuture(entry.value);
    }
    return path.getAsync(key, Origin.blocking(loader), true);
  }

  @Override
  public CompletableFuture<V> getAsync(K key, AsyncLoader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsync", key);
    }
    L1Entry<V> entry = l1.getIfPresent(key);
    if (l1.servable(entry)) {
      meters.l1Hits.increment();
      return CompletableFuture.completedFuture(entry.value);
    }
    return path.getAsync(key, Origin.async(loader), false);
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys, BulkLoader<? super K, ? extends V> loader) {
    Check.notNull(keys, "TieredCache.getAll keys");
    Check.notNull(loader, "TieredCache.getAll loader");
    return bulk.getAll(keys, loader, () -> nullArgument("getAll", null));
  }

  @Override
  public CompletableFuture<Integer> warm(Collection<? extends K> keys, BulkLoader<? super K, ? extends V> loader) {
    Check.notNull(keys, "TieredCache.warm keys");
    Check.notNull(loader, "TieredCache.warm loader");
    return bulk.warmInChunks(keys, loader, () -> nullArgument("warm", null), config.warmUpChunk());
  }

  @Override
  public int warmUp(Collection<? extends K> keys, BulkLoader<? super K, ? extends V> loader) {
    Check.notNull(keys, "TieredCache.warmUp keys");
    Check.notNull(loader, "TieredCache.warmUp loader");
    for (K key : keys) {
      if (key == null) {
        throw nullArgument("warmUp", null);
      }
    }
    return bulk.warmUp(keys, loader, () -> nullArgument("warmUp", null), config.warmUpChunk(), config.warmUpWait());
  }

  // ---------------------------------------------------------------- writes

  @Override
  public WriteResult put(K key, V value) {
    if (key == null || value == null) {
      throw new NullPointerException("TieredCache[" + config.name() + "].put " + (key == null ? "key" : "value")
          + " must not be null");
    }
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

  @Override
  public WriteResult invalidate(K key) {
    if (key == null) {
      throw nullArgument("invalidate", null);
    }
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

  @Override
  public WriteResult invalidateAll() {
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

  // ---------------------------------------------------------------- helpers

  private NullPointerException nullArgument(String method, K key) {
    return new NullPointerException("TieredCache[" + config.name() + "]." + method + " "
        + (key == null ? "key" : "loader") + " must not be null");
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public TieredCacheConfig config() {
    return config;
  }

  private void releaseClock() {
    if (coarseHitClock) {
      CoarseClock.INSTANCE.release();
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    releaseClock();
    if (link != null) {
      link.close();
      tier.close();
    }
  }
}
