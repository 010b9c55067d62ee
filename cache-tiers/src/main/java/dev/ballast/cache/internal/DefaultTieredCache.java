package dev.ballast.cache.internal;

import dev.ballast.cache.AsyncLoader;
import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.CacheLoadException;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.OriginSparedException;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
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
  /** Null while the subscription could not be opened yet (Redis down at build) or for no invalidation. */
  private volatile InvalidationBus bus;
  private final RedisClient redisClient;
  private final String channel;
  private final long batchNanos;
  private volatile ScheduledFuture<?> reconnecting;
  private final BulkGet<K, V> bulk;
  private final OriginLoad<K, V> origin;
  private final AsyncMiss<K, V> asyncMiss;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long leaseMs;
  private final long maxLeaseWaitNanos;
  /** maxLeaseWait, capped so that twice it cannot overflow: how long a flight in this JVM is waited for. */
  private final long flightWaitNanos;

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
    this.flightWaitNanos = Math.min(maxLeaseWaitNanos, Long.MAX_VALUE / 4);
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
    this.origin = new OriginLoad<>(l1, tier, keys, reader, valueCodec, ttls, ticker, meters, leaseMs,
        maxLeaseWaitNanos, config.maxEncodedSize(), this::loadFailure);
    this.bulk = new BulkGet<>(l1, tier, keys, reader, keyCodec, valueCodec, ttls, ticker, meters, leaseMs,
        config.maxEncodedSize(), e -> loadFailure(null, e), config.name(), flightWaitNanos);
    this.asyncMiss = new AsyncMiss<>(this, l1, origin, meters, ticker, executor);
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
      return joinAsync(key, running);
    }
    return null;
  }

  /** A running flight's outcome for an asynchronous caller, bounded as a blocking caller's wait is. */
  CompletableFuture<V> joinAsync(K key, Flight<V> running) {
    return running.joinAsync(2 * flightWaitNanos, config.name(), key);
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
    boolean takenOver = false;
    long arrived = System.nanoTime();
    for (Flight<V> running; (running = l1.register(key, mine)) != null; ) {
      // Wait for the load under way until it is maxLeaseWait old, then one waiter takes it over (as
      // an expired Redis lease is); nobody waits more than twice maxLeaseWait in all.
      long waited = System.nanoTime() - arrived;
      if (running.awaitFor(Math.min(flightWaitNanos - (System.nanoTime() - running.startedNanos),
          2 * flightWaitNanos - waited), config.name(), key)) {
        return running.result();
      }
      if (System.nanoTime() - arrived >= 2 * flightWaitNanos) {
        throw Flight.timedOut(config.name(), key, 2 * flightWaitNanos);
      }
      if (l1.takeOver(key, running, mine)) {
        takenOver = true;
        meters.leaseTakeovers.increment();
        break;
      }
    }
    try {
      // A taker-over loads for this JVM only: the stalled load may still hold the fleet's lease.
      Step<K, V> step = takenOver ? origin.local(key, mine, local, null) : lead(key, mine, local, now, refresh);
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
      if (local != null && local.fresh(now)) {
        return new Step.Found<>(l1.store(key, flight, local.value, now, local.softUntil, local.hardUntil));
      }
      return origin.local(key, flight, local, null);
    }
    Decoded<V> stale = null;
    long unreadableMs = -1;
    if (got != null) {
      Decoded<V> found = reader.decode((byte[]) got);
      if (found == null) {
        unreadableMs = Header.writeMs((byte[]) got);
      }
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
    return origin.throughLease(key, flight, encodedKey, valueKey, local, stale, now, unreadableMs);
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
