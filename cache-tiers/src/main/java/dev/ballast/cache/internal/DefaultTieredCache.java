package dev.ballast.cache.internal;

import dev.ballast.cache.AsyncLoader;
import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.SharedScheduler;
import dev.ballast.redis.RedisGuard;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.Gauge;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-level cache: the read and write paths, composed of an {@link L1Store} (L1, flights and their
 * invalidation rules), a {@link RedisTier} (every Redis call, guarded), an {@link InvalidationBus}, an
 * {@link EntryReader}, {@link OriginLoad} (lease, loader, fill), {@link AsyncMiss} (a miss through an
 * asynchronous loader) and {@link BulkGet}. Read path: L1 hit (one Caffeine lookup, one clock read, one
 * comparison) → per-key {@link Flight} in this JVM → Redis {@code GET} → lease script → loader → fill
 * script. Up to the loader the blocking and the asynchronous miss share their steps ({@link #withoutLoad},
 * {@link #lead}, which yield a {@link Step}); they differ only in how the origin is called.
 *
 * <p>Shared state lives in the collaborators (each documents what protects it); this class adds the
 * closed flag and the lazily opened subscription ({@code bus}, volatile, created under {@code this}).
 * In Redis, a fill writes only while its lease token is still current ({@code write.lua}); put and
 * invalidate delete the lease, so a load that began before them cannot store its older value.
 */
public final class DefaultTieredCache<K, V> implements TieredCache<K, V>, InvalidationBus.Receiver, L1Peek<K> {

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
  /** Null while the subscription could not be opened yet (Redis down at build) or for no invalidation. */
  private volatile InvalidationBus bus;
  private final RedisClient redisClient;
  private final String channel;
  private final long batchNanos;
  private volatile ScheduledFuture<?> reconnecting;
  private final ReadPath<K, V> path;
  private final BulkRead<K, V> bulk;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Builds the cache; use {@link TieredCache#builder}. */
  public DefaultTieredCache(TieredCacheConfig config, Wiring<K, V> wiring) {
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
    this.keys = new KeySpace(config.keyPrefix());
    this.ttls = new Ttls(config);
    if (wiring.redis() == null) {
      this.tier = null;
    } else {
      String component = "cache:" + config.name();
      // Real time, not the cache's ticker: the breaker judges Redis's latency, and a test's frozen clock
      // would otherwise keep an opened breaker open for ever.
      RedisGuard guard = RedisGuard.create(component,
          wiring.redisBreaker() != null ? wiring.redisBreaker()
              : RedisGuard.defaultBreaker(component, Ticker.system()),
          Ticker.system(), wiring.registry());
      this.tier = new RedisTier(wiring.redis(), guard, Check.saturatedNanos(config.redisTimeout()));
      if (config.invalidation()) {
        // Until the subscription is open, L1 entries may miss invalidations: cap them as for a drop.
        l1.subscriptionLost();
        if (wiring.registry() != null) {
          Gauge.builder("ballast.cache.subscription.up", l1, store -> store.subscriptionDown() ? 0 : 1)
              .description("1 while the invalidation subscription is up, 0 while L1 is capped for want of it")
              .tag("cache", config.name()).register(wiring.registry());
        }
      }
    }
    this.redisClient = wiring.redis();
    this.channel = config.keyPrefix() + "invalidations";
    this.batchNanos = Check.saturatedNanos(config.invalidationBatchWindow());
    if (tier != null && !connectRemaining()) {
      log.warn("Redis is not reachable for cache {}: serving from L1 and the loader, connecting again every second",
          config.name());
      reconnecting = SharedScheduler.get().scheduleWithFixedDelay(this::reconnectInBackground, 1, 1, TimeUnit.SECONDS);
    }
    ReadParts<K, V> parts = ReadParts.assemble(config, wiring, l1, tier, keys, ttls, meters);
    this.path = parts.path();
    this.bulk = parts.bulk();
  }

  /**
   * Opens what is not open yet (the connection, then the subscription); returns whether all is open.
   * The first subscription counts as a restore: it clears L1 of what was cached without it.
   */
  private boolean connectRemaining() {
    if (closed.get() || !tier.connect()) {
      return false;
    }
    if (!config.invalidation() || bus != null) {
      return true;
    }
    synchronized (this) {
      if (bus == null && !closed.get()) {
        try {
          bus = new InvalidationBus(redisClient, tier, channel, batchNanos, this, meters);
        } catch (RuntimeException e) {
          return false;
        }
        // Whatever L1 holds was cached without the subscription (and capped meanwhile): start clean.
        l1.subscriptionRestored();
      }
    }
    return true;
  }

  private void reconnectInBackground() {
    try {
      executor.execute(() -> {
        if (connectRemaining()) {
          ScheduledFuture<?> task = reconnecting;
          if (task != null) {
            task.cancel(false);
          }
          log.info("Cache {} is connected to Redis", config.name());
        }
      });
    } catch (RejectedExecutionException e) {
      // Try again at the next tick.
    }
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
  public CompletableFuture<V> getAsync(K key, Loader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsync", key);
    }
    L1Entry<V> entry = l1.getIfPresent(key);
    if (l1.servable(entry)) {
      meters.l1Hits.increment();
      return CompletableFuture.completedFuture(entry.value);
    }
    return path.getAsync(key, Origin.blocking(loader), true);
  }

  @Override
  public CompletableFuture<V> getAsyncCompose(K key, AsyncLoader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsyncCompose", key);
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
    return bulk.warm(keys, loader, () -> nullArgument("warm", null));
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(K key, V value) {
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
    byte[] encodedKey = null;
    if (tier != null) {
      encodedKey = keyCodec.encode(key);
      Object written = tier.write(keys.value(encodedKey), keys.lease(encodedKey), null, softMs, hardMs, 0,
          false, payload);
      if (written == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      } else {
        meters.l2Puts.increment();
      }
    }
    // After the Redis write: a flight that began before it is marked and will not store its older value;
    // one that begins after it reads the new value.
    l1.evict(key);
    long now = ticker.read();
    Flight<V> writer = l1.newFlight();
    l1.store(key, writer, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    InvalidationBus current = bus;
    if (current != null) {
      current.send(encodedKey);
    }
  }

  @Override
  public void invalidate(K key) {
    if (key == null) {
      throw nullArgument("invalidate", null);
    }
    byte[] encodedKey = null;
    if (tier != null) {
      encodedKey = keyCodec.encode(key);
      if (tier.delete(keys.value(encodedKey), keys.lease(encodedKey)) == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      }
    }
    l1.evict(key);
    InvalidationBus current = bus;
    if (current != null) {
      current.send(encodedKey);
    }
  }

  @Override
  public void invalidateAll() {
    if (tier != null) {
      byte[] pattern = keys.pattern();
      if (tier.deleteMatching(pattern) == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      }
    }
    l1.clear();
    InvalidationBus current = bus;
    if (current != null) {
      current.sendAll();
    }
  }

  // ---------------------------------------------------------------- invalidation bus

  @Override
  public void evict(byte[] encodedKey) {
    K key;
    try {
      key = keyCodec.decode(encodedKey);
    } catch (RuntimeException e) {
      l1.clear();
      return;
    }
    l1.evict(key);
  }

  @Override
  public void evictAll() {
    l1.clear();
  }

  @Override
  public void subscriptionLost() {
    l1.subscriptionLost();
  }

  @Override
  public void subscriptionRestored() {
    meters.resyncs.increment();
    l1.subscriptionRestored();
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
    ScheduledFuture<?> task = reconnecting;
    if (task != null) {
      task.cancel(false);
    }
    synchronized (this) {
      if (bus != null) {
        bus.close();
      }
    }
    if (tier != null) {
      tier.close();
    }
  }
}
