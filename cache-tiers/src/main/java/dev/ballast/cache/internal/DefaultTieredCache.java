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
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The two-level cache's facade: argument checks, the L1 hit path (one Caffeine lookup, one clock read, one
 * comparison), writes and lifecycle. A miss goes to the read path ({@link ReadPath} for one key,
 * {@link BulkRead} for many; see {@link ReadParts}), which every entry point shares; a write to the
 * {@link WritePath}. Collaborators: an {@link L1Store} (L1, flights and their invalidation rules), a
 * {@link RedisLink} (connection, subscription, heartbeat, writes Redis did not take and their replay,
 * and the guarded Redis port, {@link RedisTier}). Built only through {@link Wiring#build}.
 *
 * <p>Shared state lives in the collaborators (each documents what protects it); this class adds the
 * closed flag.
 */
final class DefaultTieredCache<K, V> implements TieredCache<K, V>, L1Peek<K> {

  private final TieredCacheConfig config;
  private final boolean coarseHitClock;
  private final CacheMeters meters;
  /** {@code meters.countsHits} and {@code meters.l1Hits}, one field load each on the hit path. */
  private final boolean countHits;
  private final HitCounter hits;
  private final L1Store<K, V> l1;
  /** {@code l1.entries()}, held here: each dependent load on a hit's path costs about a nanosecond. */
  private final ConcurrentMap<K, L1Entry<V>> l1Entries;
  /** Null for an L1-only cache. */
  private final RedisLink<K> link;
  private final ReadPath<K, V> path;
  private final BulkRead<K, V> bulk;
  private final WritePath<K, V> writes;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Builds the cache; use {@link TieredCache#builder}. */
  DefaultTieredCache(TieredCacheConfig config, Wiring<K, V> wiring) {
    this.config = Check.notNull(config, "config");
    Ticker ticker = wiring.ticker();
    this.coarseHitClock = wiring.coarseHitClock();
    this.meters = new CacheMeters(config.name(), wiring.registry());
    this.countHits = meters.countsHits;
    this.hits = meters.l1Hits;
    this.l1 = new L1Store<>(config.l1MaximumSize(),
        wiring.redis() == null ? Long.MAX_VALUE : Check.saturatedNanos(config.l1Ttl()),
        Check.saturatedNanos(config.l1TtlWhileDisconnected()), ticker,
        coarseHitClock ? CoarseClock.INSTANCE : ticker, meters);
    this.l1Entries = l1.entries();
    meters.size(l1, L1Store::size);
    KeySpace keys = new KeySpace(config.keyPrefix());
    Ttls ttls = new Ttls(config);
    this.link = wiring.redis() == null ? null : RedisLink.assemble(config, wiring, l1, keys, meters);
    RedisTier tier = link == null ? null : link.tier();
    ReadParts<K, V> parts = ReadParts.assemble(config, wiring, l1, tier, keys, ttls, meters);
    this.path = parts.path();
    this.bulk = parts.bulk();
    this.writes = new WritePath<>(config, wiring.keyCodec(), wiring.valueCodec(), keys, ttls, ticker, l1, link, meters);
  }

  /**
   * Starts what the constructor only assembled ({@link Wiring#build}, after construction): the hit clock's
   * sampling thread, and with Redis the connection, the subscription and the heartbeat (if Redis does not
   * answer, the cache starts in outage mode and keeps connecting in the background).
   */
  DefaultTieredCache<K, V> start() {
    if (coarseHitClock) {
      CoarseClock.INSTANCE.acquire();
    }
    if (link != null) {
      link.start();
    }
    return this;
  }

  // ---------------------------------------------------------------- reads (the misses: ReadPath, BulkRead)

  @Override
  public V get(K key, Loader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("get", key);
    }
    L1Entry<V> entry = l1Entries.get(key);
    if (l1.servable(entry)) {
      if (countHits) {
        hits.increment();
      }
      return entry.value;
    }
    return path.get(key, loader);
  }

  @Override
  public Object peek(K key) {
    L1Entry<V> entry = l1Entries.get(key);
    if (l1.servable(entry)) {
      if (countHits) {
        hits.increment();
      }
      return entry.value;
    }
    return MISS;
  }

  @Override
  public CompletableFuture<V> getAsyncWithBlockingLoader(K key, Loader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsyncWithBlockingLoader", key);
    }
    L1Entry<V> entry = l1Entries.get(key);
    if (l1.servable(entry)) {
      if (countHits) {
        hits.increment();
      }
      return CompletableFuture.completedFuture(entry.value);
    }
    return path.getAsync(key, Origin.blocking(loader), true);
  }

  @Override
  public CompletableFuture<V> getAsync(K key, AsyncLoader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsync", key);
    }
    L1Entry<V> entry = l1Entries.get(key);
    if (l1.servable(entry)) {
      if (countHits) {
        hits.increment();
      }
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

  // ---------------------------------------------------------------- writes (WritePath)

  @Override
  public WriteResult put(K key, V value) {
    if (key == null || value == null) {
      throw new NullPointerException("TieredCache[" + config.name() + "].put " + (key == null ? "key" : "value")
          + " must not be null");
    }
    return writes.put(key, value);
  }

  @Override
  public WriteResult invalidate(K key) {
    if (key == null) {
      throw nullArgument("invalidate", null);
    }
    return writes.invalidate(key);
  }

  @Override
  public WriteResult invalidateAll() {
    return writes.invalidateAll();
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
      link.tier().close();
    }
  }
}
