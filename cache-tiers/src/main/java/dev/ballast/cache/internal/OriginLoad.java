package dev.ballast.cache.internal;

import dev.ballast.cache.AsyncLoader;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Futures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * Calling the origin for one key, in two halves. First the decision ({@link #throughLease},
 * {@link #local}): take the fleet-wide lease (or wait, bounded, for whoever holds it), or call locally
 * when Redis cannot be used; it yields a {@link Call}. Then the call itself, blocking
 * ({@link #callBlocking}) or by a stage ({@link #callAsync}), and the same ending for both: a fill that
 * writes Redis only while the lease is still ours, then L1 ({@link #filled}), or stale-if-error on a
 * failure ({@link #recover}). No state of its own beyond immutable collaborators and settings.
 */
final class OriginLoad<K, V> {

  private static final byte[] EMPTY = new byte[0];
  /** {@link #recover}'s answer when no stale value may be served. */
  private static final Object NO_STALE = new Object();

  /**
   * A decided call of the origin: under our lease ({@code token} not null: fill Redis with it) or local
   * (L1 only); with what may be served if it fails ({@code stale} from Redis, {@code local} from L1).
   */
  record Call<K, V>(K key, Flight<V> flight, L1Entry<V> local, Decoded<V> stale, byte[] valueKey,
      byte[] leaseKey, byte[] token) implements Step<K, V> {

    boolean leased() {
      return token != null;
    }
  }

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

  // ---------------------------------------------------------------- deciding the call

  /**
   * Takes the fleet-wide lease, or waits (bounded, polling Redis on this thread) for whoever holds it:
   * the value another instance filled meanwhile, or the call to make (leased, or local when Redis is
   * down or the wait is over).
   */
  Step<K, V> throughLease(K key, Flight<V> flight, byte[] encodedKey, byte[] valueKey, L1Entry<V> local,
      Decoded<V> stale, long now, long unreadableMs) {
    byte[] leaseKey = keys.lease(encodedKey);
    byte[] token = KeySpace.token();
    long deadline = now + maxLeaseWaitNanos;
    boolean waited = false;
    long previousDelay = 0;
    for (int poll = 1; ; poll++) {
      Object reply = tier.lease(valueKey, leaseKey, token, leaseMs, false, unreadableMs);
      if (reply == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
        return local(key, flight, local, stale);
      }
      RedisTier.LeaseReply lease = (RedisTier.LeaseReply) reply;
      switch (lease.kind()) {
        case VALUE -> {
          Decoded<V> filled = reader.decode(lease.value());
          if (filled != null) {
            return new Step.Found<>(l1.storeDecoded(key, flight, filled, ticker.read(), tier.redisNowMs()));
          }
          // Fresh by its header, unreadable here (another value format): a miss like any other, through
          // the lease, so that one instance loads and its fill replaces the entry.
          long writeMs = Header.writeMs(lease.value());
          if (writeMs < 0 || writeMs == unreadableMs || ticker.read() - deadline >= 0) {
            return local(key, flight, local, stale);
          }
          unreadableMs = writeMs;
        }
        case ACQUIRED -> {
          if (waited) {
            meters.leaseTakeovers.increment();
          }
          return new Call<>(key, flight, local, stale, valueKey, leaseKey, token);
        }
        case HELD -> {
          if (!waited) {
            waited = true;
            meters.leaseWaits.increment();
          }
          long t = ticker.read();
          if (t - deadline >= 0 || Thread.currentThread().isInterrupted()) {
            meters.leaseWaitTimeouts.increment();
            return local(key, flight, local, stale);
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

  /** A call without Redis (L1-only cache, Redis down, or lease wait over): stores in L1 only. */
  Call<K, V> local(K key, Flight<V> flight, L1Entry<V> local, Decoded<V> stale) {
    return new Call<>(key, flight, local, stale, null, null, null);
  }

  /** A refresh's call: under a lease taken over any value, or null when another instance refreshes. */
  Call<K, V> refresh(K key, Flight<V> flight, byte[] encodedKey) {
    if (tier == null) {
      return local(key, flight, null, null);
    }
    byte[] valueKey = keys.value(encodedKey);
    byte[] leaseKey = keys.lease(encodedKey);
    byte[] token = KeySpace.token();
    Object reply = tier.lease(valueKey, leaseKey, token, leaseMs, true, -1);
    if (reply == RedisTier.DOWN) {
      meters.l2Unavailable.increment();
      return local(key, flight, null, null);
    }
    if (((RedisTier.LeaseReply) reply).kind() == RedisTier.LeaseKind.ACQUIRED) {
      return new Call<>(key, flight, null, null, valueKey, leaseKey, token);
    }
    return null;
  }

  // ---------------------------------------------------------------- making it

  /** Calls a blocking loader in this thread and finishes the call. */
  V callBlocking(Call<K, V> call, Loader<? super K, ? extends V> loader) {
    long start = ticker.read();
    V value;
    try {
      value = loader.load(call.key());
    } catch (Throwable e) {
      return served(call, recover(call, start, ticker.read(), e), e);
    }
    return filled(call, start, ticker.read(), value);
  }

  /**
   * Calls an asynchronous loader and finishes the call when its stage completes, holding no thread
   * meanwhile. The finish (Redis write, L1 store) runs on {@code executor}, not on the thread that
   * completed the stage (an HTTP client's I/O thread must not wait for Redis), unless the stage is
   * already complete. The returned future fails with the loader's own failure, unwrapped, when no stale
   * value may be served.
   */
  CompletableFuture<V> callAsync(Call<K, V> call, AsyncLoader<? super K, ? extends V> loader, Executor executor) {
    long start = ticker.read();
    CompletionStage<? extends V> stage = Futures.start(() -> loader.load(call.key()));
    CompletableFuture<V> done = new CompletableFuture<>();
    Thread calling = Thread.currentThread();
    stage.whenComplete((value, error) -> {
      long end = ticker.read();
      Runnable finish = () -> finish(call, start, end, value, error, done);
      if (Thread.currentThread() == calling) {
        finish.run(); // completed already: we are still in this method, on an executor thread
        return;
      }
      try {
        executor.execute(finish);
      } catch (RejectedExecutionException saturated) {
        finish.run();
      }
    });
    return done;
  }

  private void finish(Call<K, V> call, long start, long end, V value, Throwable error, CompletableFuture<V> done) {
    try {
      if (error == null) {
        done.complete(filled(call, start, end, value));
        return;
      }
      Throwable failure = Futures.unwrap(error);
      Object stale = recover(call, start, end, failure);
      if (stale == NO_STALE) {
        done.completeExceptionally(failure);
      } else {
        @SuppressWarnings("unchecked")
        V staleValue = (V) stale;
        done.complete(staleValue);
      }
    } catch (Throwable e) {
      done.completeExceptionally(e);
    }
  }

  @SuppressWarnings("unchecked")
  private V served(Call<K, V> call, Object stale, Throwable failure) {
    if (stale == NO_STALE) {
      throw loadFailure.apply(call.key(), failure);
    }
    return (V) stale;
  }

  /**
   * After a failed load: releases our lease and returns the stale value to serve (stale-if-error: the
   * Redis entry past its soft expiry, else a usable L1 entry), or {@link #NO_STALE}. Never for an Error.
   */
  private Object recover(Call<K, V> call, long start, long end, Throwable failure) {
    meters.loaded(end - start, false);
    if (call.leased()) {
      tier.release(call.leaseKey(), call.token());
    }
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
    return NO_STALE;
  }

  /**
   * After a successful load: a leased call writes Redis only if the lease is still ours (and releases
   * it), then L1; a local call stores in L1 only. Absent values are kept only with a negative TTL;
   * values over {@code maxEncodedSize} stay in L1. Returns {@code value}.
   */
  private V filled(Call<K, V> call, long start, long end, V value) {
    meters.loaded(end - start, true);
    K key = call.key();
    Flight<V> flight = call.flight();
    long now = ticker.read();
    if (value == null && !ttls.cachesAbsence()) {
      release(call);
      return null;
    }
    long softMs = ttls.softMs(value == null);
    long hardMs = ttls.hardMs(softMs, value == null);
    if (!call.leased()) {
      return l1.store(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    }
    byte[] payload;
    try {
      payload = value == null ? EMPTY : valueCodec.encode(value);
    } catch (RuntimeException e) {
      release(call);
      throw e;
    }
    if (payload.length > maxEncodedSize) {
      release(call);
      meters.oversize.increment();
      reader.logRarely("Value for a key of cache {} encodes to {} bytes, over maxEncodedSize: kept in L1 only",
          payload.length);
      return l1.store(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
    }
    long loadMs = (end - start) / 1_000_000;
    Object written = tier.write(call.valueKey(), call.leaseKey(), call.token(), softMs, hardMs, loadMs,
        value == null, payload);
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

  private void release(Call<K, V> call) {
    if (call.leased()) {
      tier.release(call.leaseKey(), call.token());
    }
  }
}
