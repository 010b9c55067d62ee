package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import dev.ballast.core.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background refreshes (stale-while-revalidate, XFetch's early refresh): one per key in this JVM, and one
 * per fleet, because before it calls the origin it asks Redis ({@code lease.lua} in refresh mode): a
 * value written since the one it replaces (another instance refreshed) is taken from Redis instead; a
 * lease held by another instance means that instance is refreshing. The origin call and its fill are
 * those of any miss ({@link OriginCaller}, {@link Fill}).
 *
 * <p>State: the refreshing flights in {@link L1Store} (single per key by {@code putIfAbsent}).
 */
final class Refresher<K, V> {

  private static final Logger log = LoggerFactory.getLogger(Refresher.class);

  private final String cache;
  private final L1Store<K, V> l1;
  private final FleetLease<V> lease;
  private final RedisReads<V> reads;
  private final KeySpace keys;
  private final Codec<K> keyCodec;
  private final OriginCaller<K, V> caller;
  private final Ticker ticker;
  private final Executor executor;
  private final Executor continuations;

  /**
   * {@code lease} and {@code reads} null for an L1-only cache; {@code executor} starts refreshes (a
   * refused one is skipped), {@code continuations} runs their steps after Redis answered.
   */
  Refresher(String cache, L1Store<K, V> l1, FleetLease<V> lease, RedisReads<V> reads, KeySpace keys,
      Codec<K> keyCodec, OriginCaller<K, V> caller, Ticker ticker, Executor executor, Executor continuations) {
    this.cache = cache;
    this.l1 = l1;
    this.lease = lease;
    this.reads = reads;
    this.keys = keys;
    this.keyCodec = keyCodec;
    this.caller = caller;
    this.ticker = ticker;
    this.executor = executor;
    this.continuations = continuations;
  }

  /**
   * Starts a refresh of {@code key} on the executor unless one is running in this JVM (or the executor
   * refuses: it is skipped, the next stale read starts it). {@code seenMs}: the write time of the Redis
   * entry it replaces, or -1 when that entry is past its soft expiry (any fresh one is later).
   */
  void start(K key, Origin<K, V> origin, long seenMs) {
    Flight<V> flight = l1.newFlight();
    if (!l1.startRefresh(key, flight)) {
      return;
    }
    try {
      executor.execute(() -> {
        CompletableFuture<?> done;
        try {
          done = run(key, flight, origin, seenMs);
        } catch (Throwable e) {
          done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((value, error) -> {
          if (error != null) {
            log.debug("Background refresh failed in cache {}", cache, error);
          }
          l1.endRefresh(key, flight);
        });
      });
    } catch (RejectedExecutionException e) {
      l1.endRefresh(key, flight);
    }
  }

  private CompletableFuture<?> run(K key, Flight<V> flight, Origin<K, V> origin, long seenMs) {
    if (lease == null) {
      return caller.finish(OriginCall.local(key, flight, null, null), origin);
    }
    byte[] encodedKey = keyCodec.encode(key);
    return lease.takeForRefresh(encodedKey, seenMs).thenComposeAsync(outcome -> {
      if (outcome instanceof FleetLease.Outcome.Filled<V> filled) {
        l1.storeDecoded(key, flight, filled.entry(), ticker.read(), reads.redisNowMs());
        return CompletableFuture.completedFuture(null);
      }
      if (outcome instanceof FleetLease.Outcome.Leased<V> leased) {
        return caller.finish(new OriginCall<>(key, flight, null, null, keys.value(encodedKey), leased.leaseKey(),
            leased.token()), origin);
      }
      if (outcome instanceof FleetLease.Outcome.Local<V>) {
        return caller.finish(OriginCall.local(key, flight, null, null), origin);
      }
      return CompletableFuture.completedFuture(null); // another instance is refreshing it
    }, continuations);
  }
}
