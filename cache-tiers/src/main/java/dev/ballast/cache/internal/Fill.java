package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import dev.ballast.core.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The end of every origin call, and the only code that stores what an origin returned: after a load, a
 * leased call writes Redis only while its lease is still the key's (so no value older than a write or
 * an invalidation that came meanwhile is ever stored there: {@code write.lua} checks the token, which
 * writes delete), then L1 through the flight's guard (which a write or invalidation marks); a local call
 * stores in L1 only. After a failure: the lease is released and a stale value served if one may be
 * (stale-if-error). Deadlines come from {@link Ttls} once per fill. Stateless beyond its collaborators.
 */
final class Fill<K, V> {

  private static final byte[] EMPTY = new byte[0];

  private final L1Store<K, V> l1;
  private final RedisReads<V> reads;
  private final FleetLease<V> lease;
  private final EntryReader<V> reader;
  private final Codec<V> valueCodec;
  private final Ttls ttls;
  private final Ticker ticker;
  private final CacheMeters meters;
  private final int maxEncodedSize;

  Fill(L1Store<K, V> l1, RedisReads<V> reads, FleetLease<V> lease, EntryReader<V> reader, Codec<V> valueCodec,
      Ttls ttls, Ticker ticker, CacheMeters meters, int maxEncodedSize) {
    this.l1 = l1;
    this.reads = reads;
    this.lease = lease;
    this.reader = reader;
    this.valueCodec = valueCodec;
    this.ttls = ttls;
    this.ticker = ticker;
    this.meters = meters;
    this.maxEncodedSize = maxEncodedSize;
  }

  /**
   * After a successful load of {@code value} (null: absent), started at {@code start}, ended at
   * {@code end} (ticker nanos). Completes with {@code value} once stored; fails only if the codec
   * cannot encode it.
   */
  CompletableFuture<V> loaded(OriginCall<K, V> call, long start, long end, V value) {
    meters.loaded(end - start, true);
    if (value == null && !ttls.cachesAbsence()) {
      return release(call).thenApply(released -> null);
    }
    meters.puts.increment(); // one fill, whichever tiers take it
    long softMs = ttls.softMs(value == null);
    long hardMs = ttls.hardMs(softMs, value == null);
    if (!call.leased()) {
      return CompletableFuture.completedFuture(storeL1(call, value, softMs, hardMs));
    }
    byte[] payload;
    try {
      payload = value == null ? EMPTY : valueCodec.encode(value);
    } catch (RuntimeException e) {
      return release(call).thenApply(released -> {
        throw e;
      });
    }
    if (payload.length > maxEncodedSize) {
      meters.oversize.increment();
      reader.logRarely("Value for a key of cache {} encodes to {} bytes, over maxEncodedSize: kept in L1 only",
          payload.length);
      return release(call).thenApply(released -> storeL1(call, value, softMs, hardMs));
    }
    long loadMs = (end - start) / 1_000_000;
    return reads.fill(call.valueKey(), call.leaseKey(), call.token(), softMs, hardMs, loadMs, value == null, payload)
        .thenApply(reply -> switch (reply) {
          case WRITTEN -> {
            meters.l2Puts.increment();
            yield storeL1(call, value, softMs, hardMs);
          }
          // The key was written or invalidated while we loaded: our value may be older than what caused
          // that, so it is served to this load's callers but stored nowhere.
          case REJECTED -> {
            meters.fillsRejected.increment();
            yield value;
          }
          // Redis could not be asked or refused the write: this instance keeps the value in L1 (as without
          // Redis); the lease expires by itself.
          case DOWN, REFUSED -> storeL1(call, value, softMs, hardMs);
        });
  }

  /**
   * After a failed load: releases the lease; completes with the stale value to serve (the Redis entry
   * past its soft expiry, else a usable L1 entry), or fails with {@code failure}. Never stale for an
   * {@link Error}.
   */
  CompletableFuture<V> failed(OriginCall<K, V> call, long start, long end, Throwable failure) {
    meters.loaded(end - start, false);
    return release(call).thenApply(released -> {
      if (!(failure instanceof Error)) {
        if (call.stale() != null) {
          meters.staleServes.increment();
          return call.stale().value();
        }
        L1Entry<V> local = call.local();
        if (local != null && local.usable(ticker.read())) {
          meters.staleServes.increment();
          return local.value;
        }
      }
      throw new CompletionException(failure);
    });
  }

  /** Gives the lease back without a value; completes when Redis answered or could not be asked. */
  private CompletableFuture<?> release(OriginCall<K, V> call) {
    return call.leased() ? lease.release(call.leaseKey(), call.token()) : CompletableFuture.completedFuture(null);
  }

  private V storeL1(OriginCall<K, V> call, V value, long softMs, long hardMs) {
    long now = ticker.read();
    return l1.store(call.key(), call.flight(), value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
  }
}
