package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Ticker;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * Calling the origin for one key: under the fleet-wide lease with a fill that writes only while the lease
 * is still ours ({@link #throughLease}, {@link #loadAndFill}), or locally when Redis cannot be used
 * ({@link #loadLocally}); with stale-if-error on a failed load. Runs in the thread of the key's
 * {@link Flight} leader; no state of its own beyond immutable collaborators and settings.
 */
final class OriginLoad<K, V> {

  private static final byte[] EMPTY = new byte[0];

  private final L1Store<K, V> l1;
  private final RedisTier tier;
  private final KeySpace keys;
  private final EntryReader<V> reader;
  private final Codec<V> valueCodec;
  private final Ttls ttls;
  private final Ticker ticker;
  private final CacheMeters meters;
  private final long leaseMs;
  private final long maxLeaseWaitNanos;
  private final int maxEncodedSize;
  private final BiFunction<K, Throwable, RuntimeException> loadFailure;
  private final Backoff pollBackoff = Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(50))
      .withJitter(Jitter.FULL);

  OriginLoad(L1Store<K, V> l1, RedisTier tier, KeySpace keys, EntryReader<V> reader, Codec<V> valueCodec, Ttls ttls,
      Ticker ticker, CacheMeters meters, long leaseMs, long maxLeaseWaitNanos, int maxEncodedSize,
      BiFunction<K, Throwable, RuntimeException> loadFailure) {
    this.l1 = l1;
    this.tier = tier;
    this.keys = keys;
    this.reader = reader;
    this.valueCodec = valueCodec;
    this.ttls = ttls;
    this.ticker = ticker;
    this.meters = meters;
    this.leaseMs = leaseMs;
    this.maxLeaseWaitNanos = maxLeaseWaitNanos;
    this.maxEncodedSize = maxEncodedSize;
    this.loadFailure = loadFailure;
  }

  /** Takes the fleet-wide lease, or waits (bounded) for whoever holds it. */
  V throughLease(K key, Loader<? super K, ? extends V> loader, Flight<V> flight, byte[] encodedKey,
      byte[] valueKey, L1Entry<V> local, Decoded<V> stale, long now) {
    byte[] leaseKey = keys.lease(encodedKey);
    byte[] token = KeySpace.token();
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
          Decoded<V> filled = reader.decode(lease.value());
          if (filled != null) {
            return l1.storeDecoded(key, flight, filled, ticker.read(), tier.redisNowMs());
          }
          return loadLocally(key, loader, flight, local, stale, ticker.read());
        }
        case ACQUIRED -> {
          if (waited) {
            meters.leaseTakeovers.increment();
          }
          return loadAndFill(key, loader, flight, valueKey, leaseKey, token, stale != null ? stale.value() : null,
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
  V loadAndFill(K key, Loader<? super K, ? extends V> loader, Flight<V> flight, byte[] valueKey,
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
      throw loadFailure.apply(key, e);
    }
    long loadMs = (ticker.read() - start) / 1_000_000;
    long now = ticker.read();
    if (value == null && !ttls.cachesAbsence()) {
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
    long softMs = ttls.softMs(value == null);
    long hardMs = ttls.hardMs(softMs, value == null);
    if (payload.length > maxEncodedSize) {
      tier.release(leaseKey, token);
      meters.oversize.increment();
      reader.logRarely("Value for a key of cache {} encodes to {} bytes, over maxEncodedSize: kept in L1 only",
          payload.length);
      return l1.store(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    }
    Object written = tier.write(valueKey, leaseKey, token, softMs, hardMs, loadMs, value == null, payload);
    if (written == RedisTier.DOWN) {
      meters.l2Unavailable.increment();
      return l1.store(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    }
    if (!(Boolean) written) {
      // The key was written or invalidated while we loaded: our value may be older than what caused that.
      meters.fillsRejected.increment();
      return value;
    }
    meters.l2Puts.increment();
    return l1.store(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
  }

  /** Loads without touching Redis (L1-only cache, Redis down, or lease wait over); stores in L1 only. */
  V loadLocally(K key, Loader<? super K, ? extends V> loader, Flight<V> flight, L1Entry<V> local,
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
          return stale.value();
        }
        if (local != null && local.usable(ticker.read())) {
          meters.staleServes.increment();
          return local.value;
        }
      }
      throw loadFailure.apply(key, e);
    }
    now = ticker.read();
    if (value == null && !ttls.cachesAbsence()) {
      return null;
    }
    long softMs = ttls.softMs(value == null);
    long hardMs = ttls.hardMs(softMs, value == null);
    return l1.store(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
  }
}
