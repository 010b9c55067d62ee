package dev.ballast.cache.internal;

import dev.ballast.cache.AsyncLoader;
import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.CacheLoadException;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.OriginSparedException;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-level cache: the read and write paths, composed of an {@link L1Store} (L1, flights and their
 * invalidation rules), a {@link RedisTier} (every Redis call, guarded), a {@link RedisLink} (connection,
 * subscription, heartbeat, writes Redis did not take and their replay), an {@link EntryReader}, {@link OriginLoad} (lease, loader, fill), {@link AsyncMiss} (a miss through an
 * asynchronous loader) and {@link BulkGet}. Read path: L1 hit (one Caffeine lookup, one clock read, one
 * comparison) → per-key {@link Flight} in this JVM → Redis {@code GET} → lease script → loader → fill
 * script. Up to the loader the blocking and the asynchronous miss share their steps ({@link #withoutLoad},
 * {@link #lead}, which yield a {@link Step}); they differ only in how the origin is called.
 *
 * <p>Shared state lives in the collaborators (each documents what protects it); this class adds the
 * closed flag. Writes: a put Redis did not apply becomes an invalidation (L1 evicted here, the key
 * deleted in Redis now or replayed later), reported by a {@link WriteResult}. In Redis, a fill writes only while its lease token is still current ({@code write.lua}); put and
 * invalidate delete the lease, so a load that began before them cannot store its older value.
 */
public final class DefaultTieredCache<K, V> implements TieredCache<K, V>, L1Peek<K> {

  private static final Logger log = LoggerFactory.getLogger(DefaultTieredCache.class);
  private static final CompletionStage<Void> REFRESHED = CompletableFuture.completedFuture(null);

  private final TieredCacheConfig config;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final Ticker ticker;
  private final boolean coarseHitClock;
  private final Executor executor;
  private final BooleanSupplier spareOrigin;
  private final Function<? super K, ? extends V> sparedFallback;
  private final CacheMeters meters;
  private final L1Store<K, V> l1;
  private final KeySpace keys;
  private final EntryReader<V> reader;
  private final Ttls ttls;
  private final RedisTier tier;
  /** Null for an L1-only cache. */
  private final RedisLink<K> link;
  private final BulkGet<K, V> bulk;
  private final OriginLoad<K, V> origin;
  private final AsyncMiss<K, V> asyncMiss;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long leaseMs;
  private final long maxLeaseWaitNanos;

  /** Builds the cache; use {@link TieredCache#builder}. */
  public DefaultTieredCache(TieredCacheConfig config, Wiring<K, V> wiring) {
    this.config = Check.notNull(config, "config");
    this.keyCodec = wiring.keyCodec();
    this.valueCodec = wiring.valueCodec();
    this.ticker = wiring.ticker();
    this.coarseHitClock = ticker == Ticker.system();
    this.executor = wiring.executor();
    this.spareOrigin = wiring.spareOrigin();
    this.sparedFallback = wiring.sparedFallback();
    this.meters = new CacheMeters(config.name(), wiring.registry());
    this.l1 = new L1Store<>(config.l1MaximumSize(),
        wiring.redis() == null ? Long.MAX_VALUE : Check.saturatedNanos(config.l1Ttl()),
        Check.saturatedNanos(config.l1TtlWhileDisconnected()), ticker,
        coarseHitClock ? CoarseClock.INSTANCE.acquire() : ticker, meters);
    this.keys = new KeySpace(config.keyPrefix());
    this.reader = new EntryReader<>(config.name(), valueCodec, meters);
    this.ttls = new Ttls(config);
    this.leaseMs = config.leaseTtl().toMillis();
    this.maxLeaseWaitNanos = Check.saturatedNanos(config.maxLeaseWait());
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
    this.origin = new OriginLoad<>(l1, tier, keys, reader, valueCodec, ttls, ticker, meters, leaseMs,
        maxLeaseWaitNanos, config.maxEncodedSize(), this::loadFailure);
    this.bulk = new BulkGet<>(l1, tier, keys, reader, keyCodec, valueCodec, ttls, ticker, meters, leaseMs,
        config.maxEncodedSize(), e -> loadFailure(null, e));
    this.asyncMiss = new AsyncMiss<>(this, l1, origin, meters, ticker, executor);
  }

  // ---------------------------------------------------------------- reads

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
    return miss(key, loader, entry);
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
    CompletableFuture<V> served = hitOrJoin(key);
    if (served != null) {
      return served;
    }
    try {
      return CompletableFuture.supplyAsync(() -> miss(key, loader, l1.getIfPresent(key)), executor);
    } catch (RejectedExecutionException saturated) {
      // Every loader thread busy and the queue full: the caller loads, which slows it down (back pressure)
      // rather than failing a read the cache could serve.
      try {
        return CompletableFuture.completedFuture(miss(key, loader, l1.getIfPresent(key)));
      } catch (RuntimeException | Error e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  @Override
  public CompletableFuture<V> getAsyncCompose(K key, AsyncLoader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsyncCompose", key);
    }
    CompletableFuture<V> served = hitOrJoin(key);
    return served != null ? served : asyncMiss.start(key, loader);
  }

  /** An L1 hit, completed; or the key's running load, joined; else null (a miss to start). */
  private CompletableFuture<V> hitOrJoin(K key) {
    L1Entry<V> entry = l1.getIfPresent(key);
    if (l1.servable(entry)) {
      meters.l1Hits.increment();
      return CompletableFuture.completedFuture(entry.value);
    }
    Flight<V> running = l1.running(key);
    if (running != null) {
      // Join the load already running without taking a loader thread to wait: a hot key under a slow
      // origin must not tie up the pool every cache shares.
      meters.l1Misses.increment();
      return running.thenApply(value -> value);
    }
    return null;
  }

  private V miss(K key, Loader<? super K, ? extends V> loader, L1Entry<V> local) {
    meters.l1Misses.increment();
    long now = ticker.read();
    Consumer<K> refresh = k -> refreshInBackground(k, loader);
    Step.Found<K, V> early = withoutLoad(key, local, now, refresh);
    if (early != null) {
      return early.value();
    }
    local = usable(local, now);
    Flight<V> mine = l1.newFlight();
    Flight<V> running = l1.register(key, mine);
    if (running != null) {
      return running.await();
    }
    try {
      Step<K, V> step = lead(key, mine, local, now, refresh);
      V value = step instanceof Step.Found<K, V> found ? found.value()
          : origin.callBlocking((OriginLoad.Call<K, V>) step, loader);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      l1.finish(key, mine);
    }
  }

  /**
   * The first step of every miss, before any flight: a spared origin serves what it can (or throws), an
   * L1 entry past its soft expiry is served at once under stale-while-revalidate (starting a refresh).
   * Null when the miss must go on to the tiers.
   */
  Step.Found<K, V> withoutLoad(K key, L1Entry<V> local, long now, Consumer<K> refresh) {
    if (spareOrigin.getAsBoolean()) {
      return new Step.Found<>(spared(key, local));
    }
    local = usable(local, now);
    if (local != null && config.staleWhileRevalidate() && !local.fresh(now)) {
      meters.staleServes.increment();
      refresh.accept(key);
      return new Step.Found<>(local.value);
    }
    return null;
  }

  private static <V> L1Entry<V> usable(L1Entry<V> local, long now) {
    return local != null && local.usable(now) ? local : null;
  }

  /**
   * The tiers' part of a flight's leader: Redis, then the lease. Returns the value found (stored in L1)
   * or the call of the origin to make; {@code refresh} starts a background refresh of the key.
   */
  Step<K, V> lead(K key, Flight<V> flight, L1Entry<V> local, long now, Consumer<K> refresh) {
    if (tier == null) {
      return origin.local(key, flight, local, null);
    }
    byte[] encodedKey = keyCodec.encode(key);
    byte[] valueKey = keys.value(encodedKey);
    Object got = tier.get(valueKey);
    if (got == RedisTier.DOWN) {
      meters.l2Unavailable.increment();
      // By default an entry is not kept past its capped L1 life while Redis cannot be asked: the origin
      // is (another instance's write cannot reach this one meanwhile). keepL1DuringOutage keeps it.
      if (config.keepL1DuringOutage() && local != null && local.fresh(now)) {
        return new Step.Found<>(l1.restore(key, flight, local, now));
      }
      return origin.local(key, flight, local, null);
    }
    Decoded<V> stale = null;
    if (got != null) {
      Decoded<V> found = reader.decode((byte[]) got);
      if (found != null) {
        long redisNow = tier.redisNowMs();
        if (found.softMs() > redisNow) {
          meters.l2Hits.increment();
          l1.storeDecoded(key, flight, found, now, redisNow);
          // After the store, so a refresh that finishes at once is not overwritten by the older value.
          maybeRefreshEarly(key, refresh, found, redisNow);
          return new Step.Found<>(found.value());
        }
        if (found.hardMs() > redisNow) {
          if (config.staleWhileRevalidate()) {
            meters.l2Hits.increment();
            meters.staleServes.increment();
            l1.storeDecoded(key, flight, found, now, redisNow);
            refresh.accept(key);
            return new Step.Found<>(found.value());
          }
          stale = found;
        }
      }
    }
    meters.l2Misses.increment();
    return origin.throughLease(key, flight, encodedKey, valueKey, local, stale, now);
  }

  private void maybeRefreshEarly(K key, Consumer<K> refresh, Decoded<V> found, long redisNowMs) {
    double beta = config.earlyRefreshBeta();
    if (beta <= 0) {
      return;
    }
    double random = 1.0 - ThreadLocalRandom.current().nextDouble(); // in (0, 1], so log is finite
    // XFetch: refresh when now - delta * beta * ln(random) reaches the expiry; slow loads refresh earlier.
    if (redisNowMs - Math.max(found.loadMs(), 1) * beta * Math.log(random) >= found.softMs()) {
      refresh.accept(key);
    }
  }

  private void refreshInBackground(K key, Loader<? super K, ? extends V> loader) {
    startRefresh(key, flight -> {
      OriginLoad.Call<K, V> call = refreshCall(key, flight);
      if (call != null) {
        origin.callBlocking(call, loader);
      }
      return REFRESHED;
    });
  }

  /**
   * One background refresh per key per JVM; it takes the lease over any value, so one per fleet.
   * {@code body} runs on the executor; the refresh ends when the stage it returns completes.
   */
  void startRefresh(K key, Function<Flight<V>, CompletionStage<?>> body) {
    Flight<V> flight = l1.newFlight();
    if (!l1.startRefresh(key, flight)) {
      return;
    }
    try {
      executor.execute(() -> {
        CompletionStage<?> done;
        try {
          done = body.apply(flight);
        } catch (Throwable e) {
          done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((value, error) -> {
          if (error != null) {
            log.debug("Background refresh failed in cache {}", config.name(), error);
          }
          l1.endRefresh(key, flight);
        });
      });
    } catch (RejectedExecutionException e) {
      l1.endRefresh(key, flight);
    }
  }

  /** A refresh's call of the origin, or null when another instance is refreshing the key. */
  OriginLoad.Call<K, V> refreshCall(K key, Flight<V> flight) {
    return origin.refresh(key, flight, tier == null ? null : keyCodec.encode(key));
  }

  V spared(K key, L1Entry<V> local) {
    meters.spared.increment();
    if (local != null) {
      meters.staleServes.increment();
      return local.value;
    }
    if (tier != null) {
      Object got = tier.get(keys.value(keyCodec.encode(key)));
      if (got instanceof byte[] bytes) {
        Decoded<V> found = reader.decode(bytes);
        if (found != null) {
          meters.staleServes.increment();
          return found.value();
        }
      }
    }
    if (sparedFallback != null) {
      return sparedFallback.apply(key);
    }
    throw new OriginSparedException("TieredCache[" + config.name() + "] is sparing the origin and has nothing for key "
        + key);
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys, BulkLoader<? super K, ? extends V> loader) {
    Check.notNull(keys, "TieredCache.getAll keys");
    Check.notNull(loader, "TieredCache.getAll loader");
    return bulk.getAll(keys, loader, key -> nullArgument("getAll", null));
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

  private RuntimeException loadFailure(K key, Throwable e) {
    if (e instanceof RuntimeException runtime) {
      return runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    return new CacheLoadException("TieredCache[" + config.name() + "] loader failed"
        + (key == null ? "" : " for key " + key), e);
  }

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
