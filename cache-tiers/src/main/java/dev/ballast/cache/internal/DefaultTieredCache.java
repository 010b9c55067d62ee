package dev.ballast.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.CacheLoadException;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.OriginSparedException;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.redis.RedisGuard;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-level cache. Read path: L1 hit (one Caffeine lookup, one ticker read, one comparison) → per-key
 * {@link Flight} in this JVM → Redis {@code GET} → lease script → loader → fill script.
 *
 * <p>Shared state and what protects it:
 * <ul>
 *   <li>{@code l1}: Caffeine, size-bounded only; expiry is checked against the immutable {@link L1Entry}'s
 *       deadlines so that a hit reads the clock once and Caffeine's own expiry machinery stays off the
 *       hot path. Expired entries stay until evicted for size, which lets stale-if-error use them.
 *   <li>{@code inFlight}/{@code refreshing}: one {@link Flight} per key being loaded (single-flight by
 *       {@code putIfAbsent}), removed by its leader with {@code remove(key, flight)}.
 *   <li>{@code epoch}: bumped by every clear of L1; a flight stores in L1 only if no clear and no
 *       invalidation of its key happened since it began ({@link #storeL1}).
 *   <li>{@code subscriptionDown}: volatile flag from the invalidation bus; caps new L1 entries' life.
 * </ul>
 * In Redis, a fill writes only while its lease token is still current ({@code write.lua}); put and
 * invalidate delete the lease, so a load that began before them cannot store its older value.
 */
public final class DefaultTieredCache<K, V> implements TieredCache<K, V>, InvalidationBus.Receiver {

  private static final Logger log = LoggerFactory.getLogger(DefaultTieredCache.class);
  private static final byte[] EMPTY = new byte[0];
  private static final long LOG_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  private final TieredCacheConfig config;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final Ticker ticker;
  /** Read on L1 hits only: the coarse clock when the ticker is the system one, else the ticker. */
  private final Ticker hitClock;
  private final Executor executor;
  private final BooleanSupplier spareOrigin;
  private final Function<? super K, ? extends V> sparedFallback;
  private final CacheMeters meters;
  private final Cache<K, L1Entry<V>> l1;
  private final ConcurrentHashMap<K, Flight<V>> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<K, Flight<V>> refreshing = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  private final AtomicLong lastRareLog = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean subscriptionDown;
  private final RedisTier tier;
  private final InvalidationBus bus;
  private final byte[] prefix;
  private final long l1TtlNanos;
  private final long disconnectedTtlNanos;
  private final long ttlMs;
  private final long staleMs;
  private final long negativeMs;
  private final long leaseMs;
  private final long maxLeaseWaitNanos;
  private final Backoff pollBackoff = Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(50))
      .withJitter(Jitter.FULL);

  /** Builds the cache; use {@link TieredCache#builder}. */
  public DefaultTieredCache(TieredCacheConfig config, Wiring<K, V> wiring) {
    this.config = Check.notNull(config, "config");
    this.keyCodec = wiring.keyCodec();
    this.valueCodec = wiring.valueCodec();
    this.ticker = wiring.ticker();
    this.hitClock = ticker == Ticker.system() ? CoarseClock.INSTANCE.acquire() : ticker;
    this.executor = wiring.executor();
    this.spareOrigin = wiring.spareOrigin();
    this.sparedFallback = wiring.sparedFallback();
    this.meters = new CacheMeters(config.name(), wiring.registry());
    this.l1 = Caffeine.newBuilder()
        .maximumSize(config.l1MaximumSize())
        .<K, L1Entry<V>>evictionListener((k, v, cause) -> {
          if (cause.wasEvicted()) {
            meters.l1Evictions.increment();
          }
        })
        .build();
    this.prefix = config.keyPrefix().getBytes(StandardCharsets.UTF_8);
    this.l1TtlNanos = wiring.redis() == null ? Long.MAX_VALUE : Check.saturatedNanos(config.l1Ttl());
    this.disconnectedTtlNanos = Check.saturatedNanos(config.l1TtlWhileDisconnected());
    this.ttlMs = config.ttl().toMillis();
    this.staleMs = config.staleTtl().toMillis();
    this.negativeMs = config.negativeTtl().toMillis();
    this.leaseMs = config.leaseTtl().toMillis();
    this.maxLeaseWaitNanos = Check.saturatedNanos(config.maxLeaseWait());
    if (wiring.redis() == null) {
      this.tier = null;
      this.bus = null;
      return;
    }
    String component = "cache:" + config.name();
    RedisGuard guard = RedisGuard.create(component,
        wiring.redisBreaker() != null ? wiring.redisBreaker() : RedisGuard.defaultBreaker(component, ticker), ticker,
        wiring.registry());
    this.tier = new RedisTier(wiring.redis(), guard, Check.saturatedNanos(config.redisTimeout()));
    InvalidationBus created = null;
    try {
      if (config.invalidation()) {
        created = new InvalidationBus(wiring.redis(), tier, config.keyPrefix() + "invalidations",
            Check.saturatedNanos(config.invalidationBatchWindow()), this, meters);
      }
    } catch (RuntimeException e) {
      tier.close();
      throw e;
    }
    this.bus = created;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public V get(K key, Loader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("get", key);
    }
    L1Entry<V> entry = l1.getIfPresent(key);
    if (entry != null && hitClock.read() - entry.l1Until < 0) {
      meters.l1Hits.increment();
      return entry.value;
    }
    return miss(key, loader, entry);
  }

  @Override
  public CompletableFuture<V> getAsync(K key, Loader<? super K, ? extends V> loader) {
    if (key == null || loader == null) {
      throw nullArgument("getAsync", key);
    }
    L1Entry<V> entry = l1.getIfPresent(key);
    if (entry != null && hitClock.read() - entry.l1Until < 0) {
      meters.l1Hits.increment();
      return CompletableFuture.completedFuture(entry.value);
    }
    return CompletableFuture.supplyAsync(() -> miss(key, loader, l1.getIfPresent(key)), executor);
  }

  private V miss(K key, Loader<? super K, ? extends V> loader, L1Entry<V> local) {
    meters.l1Misses.increment();
    long now = ticker.read();
    if (spareOrigin.getAsBoolean()) {
      return spared(key, local);
    }
    if (local != null && !local.usable(now)) {
      local = null;
    }
    if (local != null && config.staleWhileRevalidate() && !local.fresh(now)) {
      meters.staleServes.increment();
      refreshInBackground(key, loader);
      return local.value;
    }
    Flight<V> mine = new Flight<>(epoch.get());
    Flight<V> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return join(running);
    }
    try {
      V value = lead(key, loader, mine, local, now);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private static <V> V join(Flight<V> running) {
    try {
      return running.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** The leader of a flight: Redis, then the lease, then the loader. */
  private V lead(K key, Loader<? super K, ? extends V> loader, Flight<V> flight, L1Entry<V> local, long now) {
    if (tier == null) {
      return loadLocally(key, loader, flight, local, null, now);
    }
    byte[] encodedKey = keyCodec.encode(key);
    byte[] valueKey = redisKey(encodedKey, 'v');
    Object got = tier.get(valueKey);
    if (got == RedisTier.DOWN) {
      meters.l2Unavailable.increment();
      if (local != null && local.fresh(now)) {
        return storeL1(key, flight, local.value, now, local.softUntil, local.hardUntil);
      }
      return loadLocally(key, loader, flight, local, null, now);
    }
    Decoded<V> stale = null;
    if (got != null) {
      Decoded<V> found = decode(key, (byte[]) got);
      if (found != null) {
        long redisNow = tier.redisNowMs();
        if (found.softMs > redisNow) {
          meters.l2Hits.increment();
          store(key, flight, found, now, redisNow);
          // After the store, so a refresh that finishes at once is not overwritten by the older value.
          maybeRefreshEarly(key, loader, found, redisNow);
          return found.value;
        }
        if (found.hardMs > redisNow) {
          if (config.staleWhileRevalidate()) {
            meters.l2Hits.increment();
            meters.staleServes.increment();
            store(key, flight, found, now, redisNow);
            refreshInBackground(key, loader);
            return found.value;
          }
          stale = found;
        }
      }
    }
    meters.l2Misses.increment();
    return loadThroughLease(key, loader, flight, encodedKey, valueKey, local, stale, now);
  }

  /** Takes the fleet-wide lease, or waits (bounded) for whoever holds it. */
  private V loadThroughLease(K key, Loader<? super K, ? extends V> loader, Flight<V> flight, byte[] encodedKey,
      byte[] valueKey, L1Entry<V> local, Decoded<V> stale, long now) {
    byte[] leaseKey = redisKey(encodedKey, 'l');
    byte[] token = newToken();
    long deadline = now + maxLeaseWaitNanos;
    boolean waited = false;
    long previousDelay = 0;
    for (int poll = 1; ; poll++) {
      Object reply = tier.lease(valueKey, leaseKey, token, leaseMs, false);
      if (reply == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
        return loadLocally(key, loader, flight, local, stale, ticker.read());
      }
      RedisTier.LeaseReply lease = (RedisTier.LeaseReply) reply;
      switch (lease.kind()) {
        case VALUE -> {
          Decoded<V> filled = decode(key, lease.value());
          if (filled != null) {
            return store(key, flight, filled, ticker.read(), tier.redisNowMs());
          }
          return loadLocally(key, loader, flight, local, stale, ticker.read());
        }
        case ACQUIRED -> {
          if (waited) {
            meters.leaseTakeovers.increment();
          }
          return loadAndFill(key, loader, flight, valueKey, leaseKey, token, stale != null ? stale.value : null,
              stale != null || (local != null && local.usable(ticker.read())), local);
        }
        case HELD -> {
          if (!waited) {
            waited = true;
            meters.leaseWaits.increment();
          }
          long t = ticker.read();
          if (t - deadline >= 0 || Thread.currentThread().isInterrupted()) {
            meters.leaseWaitTimeouts.increment();
            return loadLocally(key, loader, flight, local, stale, t);
          }
          long delay = pollBackoff.delayNanos(Math.min(poll, 20), previousDelay);
          delay = Math.max(delay, 200_000);
          delay = Math.min(delay, Math.max(lease.leasePttlMs(), 1) * 1_000_000);
          delay = Math.min(delay, deadline - t);
          previousDelay = delay;
          LockSupport.parkNanos(delay);
        }
        default -> throw new IllegalStateException("unknown lease reply " + lease.kind());
      }
    }
  }

  /** Loads holding the lease, then writes Redis only if the lease is still ours, then L1. */
  private V loadAndFill(K key, Loader<? super K, ? extends V> loader, Flight<V> flight, byte[] valueKey,
      byte[] leaseKey, byte[] token, V staleValue, boolean haveStale, L1Entry<V> local) {
    long start = ticker.read();
    V value;
    try {
      value = loader.load(key);
      meters.loaded(ticker.read() - start, true);
    } catch (Throwable e) {
      meters.loaded(ticker.read() - start, false);
      tier.release(leaseKey, token);
      if (haveStale && !(e instanceof Error)) {
        meters.staleServes.increment();
        return staleValue != null || local == null ? staleValue : local.value;
      }
      throw loadFailure(key, e);
    }
    long loadMs = (ticker.read() - start) / 1_000_000;
    long now = ticker.read();
    if (value == null && negativeMs == 0) {
      tier.release(leaseKey, token);
      return null;
    }
    byte[] payload;
    try {
      payload = value == null ? EMPTY : valueCodec.encode(value);
    } catch (RuntimeException e) {
      tier.release(leaseKey, token);
      throw e;
    }
    long softMs = value == null ? negativeMs : jitter(ttlMs);
    long hardMs = value == null ? softMs : softMs + staleMs;
    if (payload.length > config.maxEncodedSize()) {
      tier.release(leaseKey, token);
      meters.oversize.increment();
      logRarely("Value for a key of cache {} encodes to {} bytes, over maxEncodedSize: kept in L1 only",
          payload.length);
      return storeL1(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    }
    Object written = tier.write(valueKey, leaseKey, token, softMs, hardMs, loadMs, value == null, payload);
    if (written == RedisTier.DOWN) {
      meters.l2Unavailable.increment();
      return storeL1(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    }
    if (!(Boolean) written) {
      // The key was written or invalidated while we loaded: our value may be older than what caused that.
      meters.fillsRejected.increment();
      return value;
    }
    meters.l2Puts.increment();
    return storeL1(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
  }

  /** Loads without touching Redis (L1-only cache, Redis down, or lease wait over); stores in L1 only. */
  private V loadLocally(K key, Loader<? super K, ? extends V> loader, Flight<V> flight, L1Entry<V> local,
      Decoded<V> stale, long now) {
    long start = ticker.read();
    V value;
    try {
      value = loader.load(key);
      meters.loaded(ticker.read() - start, true);
    } catch (Throwable e) {
      meters.loaded(ticker.read() - start, false);
      if (!(e instanceof Error)) {
        if (stale != null) {
          meters.staleServes.increment();
          return stale.value;
        }
        if (local != null && local.usable(ticker.read())) {
          meters.staleServes.increment();
          return local.value;
        }
      }
      throw loadFailure(key, e);
    }
    now = ticker.read();
    if (value == null && negativeMs == 0) {
      return null;
    }
    long softMs = value == null ? negativeMs : jitter(ttlMs);
    long hardMs = value == null ? softMs : softMs + staleMs;
    return storeL1(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
  }

  private V store(K key, Flight<V> flight, Decoded<V> found, long now, long redisNowMs) {
    long softUntil = now + (found.softMs - redisNowMs) * 1_000_000;
    long hardUntil = now + (found.hardMs - redisNowMs) * 1_000_000;
    return storeL1(key, flight, found.value, now, softUntil, hardUntil);
  }

  /**
   * Stores in L1 unless the key was invalidated or L1 cleared since the flight began. Put first, check
   * after: the invalidator marks first and evicts after, so either it evicts our entry or we see its mark.
   */
  private V storeL1(K key, Flight<V> flight, V value, long now, long softUntil, long hardUntil) {
    long cap = subscriptionDown ? Math.min(l1TtlNanos, disconnectedTtlNanos) : l1TtlNanos;
    long l1Until = cap == Long.MAX_VALUE || softUntil - (now + cap) < 0 ? softUntil : now + cap;
    L1Entry<V> entry = new L1Entry<>(value, l1Until, softUntil, hardUntil);
    l1.put(key, entry);
    if (flight.invalidated || flight.epoch != epoch.get()) {
      l1.asMap().remove(key, entry);
    } else {
      meters.l1Puts.increment();
    }
    return value;
  }

  private void maybeRefreshEarly(K key, Loader<? super K, ? extends V> loader, Decoded<V> found, long redisNowMs) {
    double beta = config.earlyRefreshBeta();
    if (beta <= 0) {
      return;
    }
    double random = 1.0 - ThreadLocalRandom.current().nextDouble(); // in (0, 1], so log is finite
    // XFetch: refresh when now - delta * beta * ln(random) reaches the expiry; slow loads refresh earlier.
    if (redisNowMs - Math.max(found.loadMs, 1) * beta * Math.log(random) >= found.softMs) {
      refreshInBackground(key, loader);
    }
  }

  /** One background refresh per key per JVM; it takes the lease over any value, so one per fleet. */
  private void refreshInBackground(K key, Loader<? super K, ? extends V> loader) {
    Flight<V> flight = new Flight<>(epoch.get());
    if (refreshing.putIfAbsent(key, flight) != null) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          refresh(key, loader, flight);
        } catch (Throwable e) {
          log.debug("Background refresh failed in cache {}", config.name(), e);
        } finally {
          refreshing.remove(key, flight);
        }
      });
    } catch (RejectedExecutionException e) {
      refreshing.remove(key, flight);
    }
  }

  private void refresh(K key, Loader<? super K, ? extends V> loader, Flight<V> flight) {
    if (tier == null) {
      loadLocally(key, loader, flight, null, null, ticker.read());
      return;
    }
    byte[] encodedKey = keyCodec.encode(key);
    byte[] valueKey = redisKey(encodedKey, 'v');
    byte[] leaseKey = redisKey(encodedKey, 'l');
    byte[] token = newToken();
    Object reply = tier.lease(valueKey, leaseKey, token, leaseMs, true);
    if (reply == RedisTier.DOWN) {
      meters.l2Unavailable.increment();
      loadLocally(key, loader, flight, null, null, ticker.read());
    } else if (((RedisTier.LeaseReply) reply).kind() == RedisTier.LeaseKind.ACQUIRED) {
      loadAndFill(key, loader, flight, valueKey, leaseKey, token, null, false, null);
    }
  }

  private V spared(K key, L1Entry<V> local) {
    meters.spared.increment();
    if (local != null) {
      meters.staleServes.increment();
      return local.value;
    }
    if (tier != null) {
      Object got = tier.get(redisKey(keyCodec.encode(key), 'v'));
      if (got instanceof byte[] bytes) {
        Decoded<V> found = decode(key, bytes);
        if (found != null) {
          meters.staleServes.increment();
          return found.value;
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
    Map<K, V> result = new LinkedHashMap<>();
    Map<K, Flight<V>> mine = new LinkedHashMap<>();
    Map<K, Flight<V>> joined = new LinkedHashMap<>();
    long now = ticker.read();
    for (K key : keys) {
      if (key == null) {
        throw nullArgument("getAll", null);
      }
      L1Entry<V> entry = l1.getIfPresent(key);
      if (entry != null && now - entry.l1Until < 0) {
        meters.l1Hits.increment();
        if (entry.value != null) {
          result.put(key, entry.value);
        }
        continue;
      }
      if (mine.containsKey(key) || joined.containsKey(key)) {
        continue;
      }
      meters.l1Misses.increment();
      Flight<V> flight = new Flight<>(epoch.get());
      Flight<V> running = inFlight.putIfAbsent(key, flight);
      if (running != null) {
        joined.put(key, running);
      } else {
        mine.put(key, flight);
      }
    }
    try {
      if (!mine.isEmpty()) {
        loadAll(mine, loader, result);
      }
    } catch (RuntimeException | Error e) {
      mine.values().forEach(f -> f.completeExceptionally(e));
      throw e;
    } finally {
      mine.forEach(inFlight::remove);
    }
    for (Map.Entry<K, Flight<V>> e : joined.entrySet()) {
      V value = join(e.getValue());
      if (value != null) {
        result.put(e.getKey(), value);
      }
    }
    return result;
  }

  private void loadAll(Map<K, Flight<V>> mine, BulkLoader<? super K, ? extends V> loader, Map<K, V> result) {
    List<K> missing = new ArrayList<>(mine.keySet());
    List<byte[]> encoded = new ArrayList<>(missing.size());
    for (K key : missing) {
      encoded.add(keyCodec.encode(key));
    }
    Map<K, byte[]> tokens = new LinkedHashMap<>();
    if (tier != null) {
      byte[][] valueKeys = new byte[missing.size()][];
      for (int i = 0; i < valueKeys.length; i++) {
        valueKeys[i] = redisKey(encoded.get(i), 'v');
      }
      Object got = tier.mget(valueKeys);
      List<K> stillMissing = new ArrayList<>();
      List<byte[]> stillEncoded = new ArrayList<>();
      long now = ticker.read();
      long redisNow = tier.redisNowMs();
      for (int i = 0; i < missing.size(); i++) {
        K key = missing.get(i);
        Object bytes = got == RedisTier.DOWN ? null : ((List<?>) got).get(i);
        Decoded<V> found = bytes == null ? null : decode(key, (byte[]) bytes);
        if (found != null && found.softMs > redisNow) {
          meters.l2Hits.increment();
          complete(mine.get(key), key, store(key, mine.get(key), found, now, redisNow), result);
        } else {
          stillMissing.add(key);
          stillEncoded.add(encoded.get(i));
        }
      }
      if (got == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      } else {
        meters.l2Misses.add(stillMissing.size());
        takeLeases(stillMissing, stillEncoded, tokens);
      }
      missing = stillMissing;
      encoded = stillEncoded;
    }
    if (missing.isEmpty()) {
      return;
    }
    long start = ticker.read();
    Map<? super K, ? extends V> loaded;
    try {
      loaded = loader.loadAll(new LinkedHashSet<>(missing));
      meters.loaded(ticker.read() - start, true);
    } catch (Throwable e) {
      meters.loaded(ticker.read() - start, false);
      for (int i = 0; i < missing.size(); i++) {
        byte[] token = tokens.get(missing.get(i));
        if (token != null) {
          tier.release(redisKey(encoded.get(i), 'l'), token);
        }
      }
      throw loadFailure(null, e);
    }
    long loadMs = (ticker.read() - start) / 1_000_000;
    for (int i = 0; i < missing.size(); i++) {
      K key = missing.get(i);
      V value = loaded == null ? null : loaded.get(key);
      Flight<V> flight = mine.get(key);
      byte[] token = tokens.get(key);
      long now = ticker.read();
      if (value == null && negativeMs == 0) {
        if (token != null) {
          tier.release(redisKey(encoded.get(i), 'l'), token);
        }
        complete(flight, key, null, result);
        continue;
      }
      long softMs = value == null ? negativeMs : jitter(ttlMs);
      long hardMs = value == null ? softMs : softMs + staleMs;
      boolean storeLocally = true;
      if (token != null) {
        byte[] payload = value == null ? EMPTY : valueCodec.encode(value);
        byte[] leaseKey = redisKey(encoded.get(i), 'l');
        if (payload.length > config.maxEncodedSize()) {
          meters.oversize.increment();
          tier.release(leaseKey, token);
        } else {
          Object written = tier.write(redisKey(encoded.get(i), 'v'), leaseKey, token, softMs, hardMs, loadMs,
              value == null, payload);
          if (Boolean.FALSE.equals(written)) {
            meters.fillsRejected.increment();
            storeLocally = false;
          } else if (Boolean.TRUE.equals(written)) {
            meters.l2Puts.increment();
          }
        }
      }
      if (storeLocally) {
        storeL1(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
      }
      complete(flight, key, value, result);
    }
  }

  /** One lease script per key, all sent before any reply is read: one round trip for the lot. */
  private void takeLeases(List<K> keys, List<byte[]> encoded, Map<K, byte[]> tokens) {
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>(keys.size());
    List<byte[]> candidates = new ArrayList<>(keys.size());
    for (byte[] encodedKey : encoded) {
      byte[] token = newToken();
      candidates.add(token);
      replies.add(tier.guard().callAsync(
          () -> tier.leaseAsync(redisKey(encodedKey, 'v'), redisKey(encodedKey, 'l'), token, leaseMs, true),
          () -> null).toCompletableFuture());
    }
    for (int i = 0; i < keys.size(); i++) {
      List<Object> reply;
      try {
        reply = tier.await(replies.get(i));
      } catch (RuntimeException e) {
        continue;
      }
      if (reply != null && tier.leaseReply(reply).kind() == RedisTier.LeaseKind.ACQUIRED) {
        tokens.put(keys.get(i), candidates.get(i));
      }
    }
  }

  private void complete(Flight<V> flight, K key, V value, Map<K, V> result) {
    flight.complete(value);
    if (value != null) {
      result.put(key, value);
    }
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
    long softMs = jitter(ttlMs);
    long hardMs = softMs + staleMs;
    byte[] encodedKey = null;
    if (tier != null) {
      encodedKey = keyCodec.encode(key);
      Object written = tier.write(redisKey(encodedKey, 'v'), redisKey(encodedKey, 'l'), null, softMs, hardMs, 0,
          false, payload);
      if (written == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      } else {
        meters.l2Puts.increment();
      }
    }
    // After the Redis write: a flight that began before it is marked and will not store its older value;
    // one that begins after it reads the new value.
    evictLocally(key);
    long now = ticker.read();
    Flight<V> writer = new Flight<>(epoch.get());
    storeL1(key, writer, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    if (bus != null) {
      bus.send(encodedKey);
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
      if (tier.delete(redisKey(encodedKey, 'v'), redisKey(encodedKey, 'l')) == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      }
    }
    evictLocally(key);
    if (bus != null) {
      bus.send(encodedKey);
    }
  }

  @Override
  public void invalidateAll() {
    if (tier != null) {
      byte[] pattern = globEscape(prefix);
      if (tier.deleteMatching(pattern) == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      }
    }
    clearLocally();
    if (bus != null) {
      bus.sendAll();
    }
  }

  private void evictLocally(K key) {
    Flight<V> flight = inFlight.get(key);
    if (flight != null) {
      flight.invalidated = true;
      // Later callers start a new load rather than join one that may return the older value.
      inFlight.remove(key, flight);
    }
    Flight<V> refresh = refreshing.get(key);
    if (refresh != null) {
      refresh.invalidated = true;
    }
    l1.invalidate(key);
  }

  private void clearLocally() {
    epoch.incrementAndGet();
    inFlight.forEach((key, flight) -> {
      flight.invalidated = true;
      inFlight.remove(key, flight);
    });
    refreshing.values().forEach(flight -> flight.invalidated = true);
    l1.invalidateAll();
  }

  // ---------------------------------------------------------------- invalidation bus

  @Override
  public void evict(byte[] encodedKey) {
    K key;
    try {
      key = keyCodec.decode(encodedKey);
    } catch (RuntimeException e) {
      clearLocally();
      return;
    }
    evictLocally(key);
  }

  @Override
  public void evictAll() {
    clearLocally();
  }

  @Override
  public void subscriptionLost() {
    subscriptionDown = true;
    // Entries were right when the subscription dropped; from now on they may miss an invalidation, so
    // they live at most the short bound. Not cleared: a Redis outage must still be served from L1.
    long until = ticker.read() + disconnectedTtlNanos;
    l1.asMap().replaceAll((key, entry) -> entry.l1Until - until > 0
        ? new L1Entry<>(entry.value, until, entry.softUntil, entry.hardUntil)
        : entry);
  }

  @Override
  public void subscriptionRestored() {
    subscriptionDown = false;
    meters.resyncs.increment();
    clearLocally();
  }

  // ---------------------------------------------------------------- helpers

  private record Decoded<V>(V value, long softMs, long hardMs, long loadMs) {}

  /** Parses and decodes Redis bytes; corrupt or unknown bytes are a counted miss and a rare log line. */
  private Decoded<V> decode(K key, byte[] bytes) {
    Header.Parsed parsed = Header.parse(bytes);
    if (parsed == null) {
      corrupt("unknown format");
      return null;
    }
    V value = null;
    if (parsed.payload() != null) {
      try {
        value = valueCodec.decode(parsed.payload());
      } catch (RuntimeException e) {
        corrupt(e.toString());
        return null;
      }
      if (value == null) {
        corrupt("codec returned null");
        return null;
      }
    }
    return new Decoded<>(value, parsed.softMs(), parsed.hardMs(), parsed.loadMs());
  }

  private void corrupt(String why) {
    meters.corrupt.increment();
    logRarely("Cache {} found bytes in Redis it cannot read ({}); treated as a miss", why);
  }

  /** At most one line a minute per cache, whatever the rate of the event. */
  private void logRarely(String message, Object detail) {
    long now = System.nanoTime();
    long last = lastRareLog.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_EVERY_NANOS) && lastRareLog.compareAndSet(last, now)) {
      log.warn(message, config.name(), detail);
    }
  }

  private long jitter(long ms) {
    double fraction = config.ttlJitter();
    if (fraction == 0) {
      return ms;
    }
    return Math.max(1, ms - (long) (ms * fraction * ThreadLocalRandom.current().nextDouble()));
  }

  /** {@code <prefix>{<key>}:<kind>}: the braces make a key's value and lease share a Redis Cluster slot. */
  private byte[] redisKey(byte[] encodedKey, char kind) {
    byte[] key = new byte[prefix.length + encodedKey.length + 4];
    System.arraycopy(prefix, 0, key, 0, prefix.length);
    key[prefix.length] = '{';
    System.arraycopy(encodedKey, 0, key, prefix.length + 1, encodedKey.length);
    int at = prefix.length + 1 + encodedKey.length;
    key[at] = '}';
    key[at + 1] = ':';
    key[at + 2] = (byte) kind;
    return key;
  }

  private static byte[] globEscape(byte[] prefix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : prefix) {
      if (b == '*' || b == '?' || b == '[' || b == ']' || b == '\\') {
        out.write('\\');
      }
      out.write(b);
    }
    out.write('*');
    return out.toByteArray();
  }

  private static byte[] newToken() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return (Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong())).getBytes(
        StandardCharsets.US_ASCII);
  }

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

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (hitClock == CoarseClock.INSTANCE) {
      CoarseClock.INSTANCE.release();
    }
    if (bus != null) {
      bus.close();
    }
    if (tier != null) {
      tier.close();
    }
  }
}
