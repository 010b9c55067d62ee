package dev.ballast.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ballast.core.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process tier and what keeps it consistent: the Caffeine map, the loads in flight per key, and
 * the rules that stop an older load from landing after an invalidation.
 *
 * <p>Shared state and what protects it:
 * <ul>
 *   <li>{@code cache}: Caffeine, size-bounded only; expiry is checked against the immutable {@link L1Entry}
 *       deadlines so a hit reads a clock once and Caffeine's own expiry stays off the hot path. Expired
 *       entries stay until evicted for size, which lets stale-if-error and a spared origin use them.
 *   <li>{@code inFlight} / {@code refreshing}: one {@link Flight} per key (single-flight by
 *       {@code putIfAbsent}); its leader removes it with {@code remove(key, flight)}.
 *   <li>{@code epoch}: bumped by every clear; a flight stores only if neither a clear nor an invalidation of
 *       its key (nor, for a read, a background refresh's store) happened since it began ({@link #store}).
 *   <li>{@code subscriptionDown}, {@code redisDown}: volatile, set by {@link RedisLink}; while either is
 *       set, entries' L1 life is capped at {@code l1TtlWhileDisconnected} (invalidations may be missed).
 * </ul>
 */
final class L1Store<K, V> {

  private final Cache<K, L1Entry<V>> cache;
  /** {@code cache.asMap()}: Caffeine's map itself, one hop closer than the {@link Cache} facade. */
  private final ConcurrentMap<K, L1Entry<V>> entries;
  private final ConcurrentHashMap<K, Flight<V>> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<K, Flight<V>> refreshing = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final Ticker ticker;
  private final Ticker hitClock;
  /** Whether {@code hitClock} is the {@link CoarseClock}: then {@link #servable} reads it without a call. */
  private final boolean coarseHitClock;
  private final long l1TtlNanos;
  private final long disconnectedTtlNanos;
  private final CacheMeters meters;
  private volatile boolean subscriptionDown;
  private volatile boolean redisDown;

  /**
   * @param l1TtlNanos {@code Long.MAX_VALUE} for an L1-only cache, whose entries live to their soft expiry
   * @param hitClock read by {@link #servable} only; may be coarser than {@code ticker}, same time base
   */
  L1Store(long maximumSize, long l1TtlNanos, long disconnectedTtlNanos, Ticker ticker, Ticker hitClock,
      CacheMeters meters) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .<K, L1Entry<V>>evictionListener((k, v, cause) -> {
          if (cause.wasEvicted()) {
            meters.l1Evictions.increment();
          }
        })
        .build();
    this.entries = cache.asMap();
    this.ticker = ticker;
    this.hitClock = hitClock;
    this.coarseHitClock = hitClock == CoarseClock.INSTANCE;
    this.l1TtlNanos = l1TtlNanos;
    this.disconnectedTtlNanos = disconnectedTtlNanos;
    this.meters = meters;
  }

  /** Entries held (Caffeine's estimate): {@code cache.size}. */
  long size() {
    return cache.estimatedSize();
  }

  L1Entry<V> getIfPresent(K key) {
    return entries.get(key);
  }

  /**
   * The map a hit reads, for the cache's hot path to hold itself: a hit then follows one reference less
   * (this store) and, reading the map rather than the {@link Cache} facade, one more. A lookup through it is
   * Caffeine's {@code getIfPresent} without statistics, which L1 does not record.
   */
  ConcurrentMap<K, L1Entry<V>> entries() {
    return entries;
  }

  /** Whether a hit may be served from L1 without asking Redis: the hot path's one clock read. */
  boolean servable(L1Entry<V> entry) {
    // The coarse clock is read as a static field's field, not through the Ticker interface, whose call
    // is megamorphic in an application that also uses other tickers.
    return entry != null && (coarseHitClock ? CoarseClock.now() : hitClock.read()) - entry.l1Until < 0;
  }

  Flight<V> newFlight() {
    return new Flight<>(epoch.get());
  }

  /** Registers {@code flight} as the key's load, or returns the load already running. */
  Flight<V> register(K key, Flight<V> flight) {
    return inFlight.putIfAbsent(key, flight);
  }

  /** The load of {@code key} running in this JVM, or null. */
  Flight<V> running(K key) {
    return inFlight.get(key);
  }

  /**
   * Replaces {@code expired} (a load that has run for {@code maxLeaseWait}) by {@code successor} as the
   * key's load; returns false if {@code expired} is no longer the key's load. The successor completes
   * with the expired load's outcome if that comes first.
   */
  boolean takeOver(K key, Flight<V> expired, Flight<V> successor) {
    if (!inFlight.replace(key, expired, successor)) {
      return false;
    }
    // No longer registered, so a later invalidation of the key would not mark it: it serves its callers
    // (through the successor too) but stores nothing.
    expired.invalidated = true;
    successor.firstOf(expired);
    return true;
  }

  void finish(K key, Flight<V> flight) {
    inFlight.remove(key, flight);
  }

  /** Whether {@code flight} became the key's one background refresh. */
  boolean startRefresh(K key, Flight<V> flight) {
    return refreshing.putIfAbsent(key, flight) == null;
  }

  void endRefresh(K key, Flight<V> flight) {
    refreshing.remove(key, flight);
  }

  /**
   * Stores in L1 unless the key was invalidated or L1 cleared since the flight began. Checked and stored
   * in one {@code compute}, atomically with the key's other writers: the invalidator marks first and evicts
   * after, so either it evicts our entry or we see its mark and leave what is there (a put's newer value,
   * which a put-then-remove would have replaced and then removed). A background refresh's store also marks
   * the key's running read, which may have read the entry the refresh replaced: that read serves its
   * callers but does not put the older value back. Returns {@code value}.
   */
  V store(K key, Flight<V> flight, V value, long now, long softUntil, long hardUntil) {
    L1Entry<V> entry = entry(value, now, softUntil, hardUntil);
    if (cache.asMap().compute(key, (k, current) -> {
      if (flight.invalidated || flight.epoch != epoch.get()) {
        return current;
      }
      if (refreshing.get(k) == flight) {
        Flight<V> read = inFlight.get(k);
        if (read != null) {
          read.invalidated = true;
        }
      }
      return entry;
    }) == entry) {
      meters.l1Puts.increment();
    }
    return value;
  }

  /**
   * Serves again, for another L1 TTL, an entry read from L1 before {@code flight} began (Redis could not
   * be asked and the cache keeps L1 during an outage): only while L1 still holds that very entry. A put or
   * an invalidation since replaced or removed it, and then its value is returned (the read began before
   * the write completed) but not kept: an instance never reads a version older than its own completed
   * write. Returns the entry's value.
   */
  V restore(K key, Flight<V> flight, L1Entry<V> local, long now) {
    L1Entry<V> renewed = entry(local.value, now, local.softUntil, local.hardUntil);
    if (cache.asMap().replace(key, local, renewed)) {
      keepUnlessInvalidated(key, flight, renewed);
    }
    return local.value;
  }

  private L1Entry<V> entry(V value, long now, long softUntil, long hardUntil) {
    long cap = subscriptionDown || redisDown ? Math.min(l1TtlNanos, disconnectedTtlNanos) : l1TtlNanos;
    long l1Until = cap == Long.MAX_VALUE || softUntil - (now + cap) < 0 ? softUntil : now + cap;
    return new L1Entry<>(value, l1Until, softUntil, hardUntil);
  }

  private void keepUnlessInvalidated(K key, Flight<V> flight, L1Entry<V> entry) {
    if (flight.invalidated || flight.epoch != epoch.get()) {
      cache.asMap().remove(key, entry);
    } else {
      meters.l1Puts.increment();
    }
  }

  /** Stores an entry read from Redis, converting its Redis-clock expiries to ticker time. */
  V storeDecoded(K key, Flight<V> flight, Decoded<V> found, long now, long redisNowMs) {
    return store(key, flight, found.value(), now, now + (found.softMs() - redisNowMs) * 1_000_000,
        now + (found.hardMs() - redisNowMs) * 1_000_000);
  }

  /** Evicts the key, and marks its loads so that they do not store what they read before. */
  void evict(K key) {
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
    cache.invalidate(key);
  }

  /** Empties L1; every load under way will not store. */
  void clear() {
    abandonLoads();
    cache.invalidateAll();
  }

  /** Every load under way will not store (its key is not joined any more); the epoch moves on. */
  private void abandonLoads() {
    epoch.incrementAndGet();
    inFlight.forEach((key, flight) -> {
      flight.invalidated = true;
      inFlight.remove(key, flight);
    });
    refreshing.values().forEach(flight -> flight.invalidated = true);
  }

  /**
   * The subscription dropped: entries were right until now, but may miss an invalidation from now on, so
   * each lives at most the short bound. Not cleared: a Redis outage must still be served from L1.
   */
  void subscriptionLost() {
    subscriptionDown = true;
    capAll();
  }

  /**
   * A Redis call found Redis unreachable (down, paused, timing out): other instances' writes cannot reach
   * this one now, so entries are capped as for a dropped subscription until Redis answers again.
   */
  void redisUnreachable() {
    if (!redisDown) {
      redisDown = true;
      capAll();
    }
  }

  /** Redis answers again (and this instance's deferred writes are replayed): entries get {@code l1Ttl} again. */
  void redisAnswering() {
    redisDown = false;
  }

  /** Whether entries are capped for want of the subscription or of Redis. */
  boolean capped() {
    return subscriptionDown || redisDown;
  }

  private void capAll() {
    long until = ticker.read() + disconnectedTtlNanos;
    cache.asMap().replaceAll((key, entry) -> entry.l1Until - until > 0
        ? new L1Entry<>(entry.value, until, entry.softUntil, entry.hardUntil)
        : entry);
  }

  boolean subscriptionDown() {
    return subscriptionDown;
  }

  /**
   * The subscription is back: whatever was missed meanwhile must not be served. Every entry is retired
   * (all its deadlines now): never again a hit, nor served stale (stale-while-revalidate, stale-if-error),
   * but still there for a spared origin, which serves anything cached however old. (Dropping them, as
   * before, left serve-cached with nothing to serve for every key L1 had held once Redis could not be read.)
   * Loads under way do not store.
   */
  void subscriptionRestored() {
    subscriptionDown = false;
    abandonLoads();
    long now = ticker.read();
    cache.asMap().replaceAll((key, entry) -> new L1Entry<>(entry.value, now, now, now));
  }
}
