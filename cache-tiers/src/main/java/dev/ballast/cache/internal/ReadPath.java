package dev.ballast.cache.internal;

import dev.ballast.cache.CacheLoadException;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.OriginSparedException;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Futures;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The miss of one key, for every single-key entry point: {@code get} (blocking, the loader on the
 * caller's thread), {@code getAsyncWithBlockingLoader} (a blocking loader on the executor) and {@code getAsync} (a
 * loader's stage); background refreshes go through {@link Refresher}, {@code getAll} and warm-up through
 * {@link BulkRead}, with the same planner, lease and fill. The steps:
 * <ol>
 *   <li>plan from L1 and the spare signal ({@link ReadPlanner}): spared, stale served with a refresh, or a miss;
 *   <li>one {@link Flight} per key in this JVM, registered on the caller's thread: later callers join it
 *       (bounded by {@code maxLeaseWait}, then one takes it over); the leader looks at L1 once more;
 *   <li>Redis {@code GET}, plan again with its entry: serve it (maybe refreshing), or load: through the
 *       {@link FleetLease} (which may yield another instance's fill), or for this instance only;
 *   <li>the origin and the fill ({@link OriginCaller}, {@link Fill}).
 * </ol>
 * No step before the origin holds a thread: Redis replies and lease polls complete stages. A blocking
 * caller waits for them, interruptibly and bounded; if it stops waiting, the load goes on on the
 * executor for the flight's other callers.
 *
 * <p>State: none of its own; the flights live in {@link L1Store}.
 */
final class ReadPath<K, V> {

  final String cache;
  final L1Store<K, V> l1;
  final RedisReads<V> reads;
  final FleetLease<V> lease;
  final KeySpace keys;
  final Codec<K> keyCodec;
  final ReadPlanner planner;
  private final OriginCaller<K, V> caller;
  private final Refresher<K, V> refresher;
  final Ticker ticker;
  final CacheMeters meters;
  final Executor executor;
  final BooleanSupplier spareOrigin;
  final Function<? super K, ? extends V> sparedFallback;
  /** maxLeaseWait, capped so that twice it cannot overflow. */
  final long flightWaitNanos;
  /** A blocking caller's bound on any one step it waits for (a safety net: each step has its own bound). */
  private final long stepWaitNanos;

  ReadPath(String cache, L1Store<K, V> l1, RedisReads<V> reads, FleetLease<V> lease, KeySpace keys,
      Codec<K> keyCodec, ReadPlanner planner, OriginCaller<K, V> caller, Refresher<K, V> refresher, Ticker ticker,
      CacheMeters meters, Executor executor, BooleanSupplier spareOrigin,
      Function<? super K, ? extends V> sparedFallback, long maxLeaseWaitNanos, long redisTimeoutNanos) {
    this.cache = cache;
    this.l1 = l1;
    this.reads = reads;
    this.lease = lease;
    this.keys = keys;
    this.keyCodec = keyCodec;
    this.planner = planner;
    this.caller = caller;
    this.refresher = refresher;
    this.ticker = ticker;
    this.meters = meters;
    this.executor = executor;
    this.spareOrigin = spareOrigin;
    this.sparedFallback = sparedFallback;
    this.flightWaitNanos = Math.min(maxLeaseWaitNanos, Long.MAX_VALUE / 4);
    this.stepWaitNanos = Math.min(flightWaitNanos + 4 * Math.min(redisTimeoutNanos, Long.MAX_VALUE / 16)
        + TimeUnit.SECONDS.toNanos(1), Long.MAX_VALUE / 4);
  }

  // ---------------------------------------------------------------- blocking

  /**
   * {@code get}'s miss: the loader runs on this thread.
   *
   * @throws CacheLoadException if the loader failed with a checked exception, or this thread was
   *     interrupted while waiting (its flag set again), or a load of the key by another caller outlived
   *     twice {@code maxLeaseWait}
   */
  V get(K key, Loader<? super K, ? extends V> loader) {
    // The origin is made here, not by the cache's get: the hit path stays small enough to be inlined
    // where it is called (C2 inlines a method whose compiled code is under 2,500 bytes).
    Origin<K, V> origin = Origin.blocking(loader);
    meters.l1Misses.increment();
    long now = ticker.read();
    L1Entry<V> local = l1.getIfPresent(key);
    if (spareOrigin.getAsBoolean()) {
      return awaitOwn(spared(key, local), key);
    }
    Plan<V> front = planner.plan(local, null, false, now, 0, 1.0);
    if (front instanceof Plan.ServeLocal<V> serve) {
      return serveStale(key, serve, origin);
    }
    L1Entry<V> usable = usable(local, now);
    Flight<V> mine = l1.newFlight();
    boolean takenOver = false;
    long arrived = System.nanoTime();
    for (Flight<V> running; (running = l1.register(key, mine)) != null; ) {
      // Wait for the load under way until it is maxLeaseWait old, then one waiter takes it over (as an
      // expired Redis lease is); nobody waits more than twice maxLeaseWait in all.
      long waited = System.nanoTime() - arrived;
      if (running.awaitFor(Math.min(flightWaitNanos - (System.nanoTime() - running.startedNanos),
          2 * flightWaitNanos - waited), cache, key)) {
        return running.result();
      }
      if (System.nanoTime() - arrived >= 2 * flightWaitNanos) {
        throw Flight.timedOut(cache, key, 2 * flightWaitNanos);
      }
      if (l1.takeOver(key, running, mine)) {
        takenOver = true;
        meters.leaseTakeovers.increment();
        break;
      }
    }
    CompletableFuture<Step<K, V>> steps;
    try {
      // A taker-over loads for this JVM only: the stalled load may still hold the fleet's lease.
      steps = takenOver ? CompletableFuture.completedFuture(OriginCall.local(key, mine, usable, null))
          : steps(key, mine, usable, now, origin, true);
    } catch (Throwable e) {
      steps = CompletableFuture.failedFuture(e);
    }
    if (steps.isDone() && !steps.isCompletedExceptionally() && steps.getNow(null) instanceof Step.Found<K, V> found) {
      // Found in a tier (an L2 hit): end the flight here, without the stages a load needs.
      l1.finish(key, mine);
      mine.complete(found.value());
      return found.value();
    }
    CompletableFuture<V> outcome;
    try {
      outcome = caller.finish(awaitOwn(steps, key), origin);
    } catch (Throwable e) {
      if (!steps.isDone()) {
        // This caller stops waiting (interrupted); the load goes on for the flight's other callers.
        end(key, mine, steps.thenComposeAsync(step -> caller.finish(step, origin), executor),
            true);
        throw e;
      }
      outcome = CompletableFuture.failedFuture(e);
    }
    end(key, mine, outcome, true);
    return awaitOwn(outcome, key);
  }

  /**
   * A blocking caller's wait for its own step: bounded, interruptible; the step's failure thrown as
   * {@code get} throws it.
   */
  <T> T awaitOwn(CompletableFuture<T> step, Object key) {
    try {
      return step.get(stepWaitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Flight.interrupted(cache, key, e);
    } catch (TimeoutException e) {
      throw Flight.timedOut(cache, key, stepWaitNanos);
    } catch (ExecutionException e) {
      throw sneaky(failure(key, Futures.unwrap(e)));
    }
  }

  // ---------------------------------------------------------------- asynchronous

  /**
   * {@code getAsync}'s and {@code getAsyncWithBlockingLoader}'s miss: never blocks, never throws. {@code wrapChecked}:
   * a checked failure completes the future as {@code get} throws it (a blocking loader) rather than as
   * it is (an asynchronous loader's own failure).
   */
  CompletableFuture<V> getAsync(K key, Origin<K, V> origin, boolean wrapChecked) {
    try {
      meters.l1Misses.increment();
      long now = ticker.read();
      L1Entry<V> local = l1.getIfPresent(key);
      if (spareOrigin.getAsBoolean()) {
        return spared(key, local);
      }
      Plan<V> front = planner.plan(local, null, false, now, 0, 1.0);
      if (front instanceof Plan.ServeLocal<V> serve) {
        return CompletableFuture.completedFuture(serveStale(key, serve, origin));
      }
      // Registered on the caller's thread: a caller who comes before the load's first Redis step joins
      // it, holding no thread.
      Flight<V> mine = l1.newFlight();
      Flight<V> running = l1.register(key, mine);
      if (running != null) {
        return joinAsync(key, running);
      }
      CompletableFuture<V> outcome;
      try {
        // The origin, and whatever the caller chains on the result, on the executor: never on a Redis
        // client's I/O thread, which completes the steps.
        outcome = steps(key, mine, usable(local, now), now, origin, false)
            .thenComposeAsync(step -> caller.finish(step, origin), executor);
      } catch (Throwable e) {
        outcome = CompletableFuture.failedFuture(e);
      }
      end(key, mine, outcome, wrapChecked);
      return mine.joinAsync(Flight.UNBOUNDED, cache, key, executor); // its own load: bounded by each of its steps
    } catch (Throwable e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A running flight's outcome for an asynchronous caller, bounded as a blocking caller's wait is. */
  CompletableFuture<V> joinAsync(K key, Flight<V> running) {
    return running.joinAsync(2 * flightWaitNanos, cache, key, executor);
  }

  // ---------------------------------------------------------------- shared steps

  /**
   * The tiers' part of a leader's miss, after L1 once more: Redis, then the plan, then the lease. Yields
   * the value found (stored in L1) or the origin call to make.
   */
  private CompletableFuture<Step<K, V>> steps(K key, Flight<V> flight, L1Entry<V> local, long now,
      Origin<K, V> origin, boolean blocking) {
    L1Entry<V> again = l1.getIfPresent(key);
    if (l1.servable(again)) {
      // A load that ended between this caller's L1 read and its flight: its value is there.
      return CompletableFuture.completedFuture(new Step.Found<>(again.value));
    }
    if (reads == null) {
      return CompletableFuture.completedFuture(OriginCall.local(key, flight, local, null));
    }
    byte[] encodedKey = keyCodec.encode(key);
    byte[] valueKey = keys.value(encodedKey);
    if (blocking) {
      // The caller waits anyway: its GET costs what a plain GET costs; only a miss goes on in stages.
      L2Read<V> read = reads.getNow(valueKey);
      if (!(read instanceof L2Read.Interrupted<V>)) {
        return afterRead(key, flight, local, now, origin, encodedKey, valueKey, read);
      }
      // The caller was interrupted, not Redis down: it stops waiting (its flag is set, so its wait for
      // this stage ends at once) and the read goes on without a thread for the flight's other callers.
    }
    return reads.get(valueKey).thenCompose(read -> afterRead(key, flight, local, now, origin, encodedKey, valueKey,
        read));
  }

  /** The plan once the Redis entry is known, and its step. */
  private CompletableFuture<Step<K, V>> afterRead(K key, Flight<V> flight, L1Entry<V> local, long now,
      Origin<K, V> origin, byte[] encodedKey, byte[] valueKey, L2Read<V> read) {
    Plan<V> plan = planner.plan(local, read, false, now, reads.redisNowMs(), random());
    if (plan instanceof Plan.ServeLocal<V> keep) {
      return found(l1.restore(key, flight, keep.entry(), now));
    }
    if (plan instanceof Plan.ServeRedis<V> serve) {
      return found(serveRedis(key, flight, serve, origin));
    }
    Plan.Load<V> load = (Plan.Load<V>) plan;
    if (!load.leased()) {
      return CompletableFuture.completedFuture(OriginCall.local(key, flight, load.local(), load.stale()));
    }
    meters.l2Misses.increment();
    return lease.take(List.of(encodedKey), new long[] {load.unreadableMs()}, true)
        .thenApply(outcomes -> afterLease(key, flight, valueKey, load, outcomes.get(0)));
  }

  /** Stores a Redis entry the plan serves, counts it, starts the refresh it asks for (after the store). */
  V serveRedis(K key, Flight<V> flight, Plan.ServeRedis<V> serve, Origin<K, V> origin) {
    meters.l2Hits.increment();
    if (serve.stale()) {
      meters.staleServes.increment();
    }
    V value = l1.storeDecoded(key, flight, serve.entry(), ticker.read(), reads.redisNowMs());
    if (serve.refreshSeenMs() != Plan.NO_REFRESH) {
      refresher.start(key, origin, serve.refreshSeenMs());
    }
    return value;
  }

  /** What a lease wait's outcome means for one key's leader. */
  Step<K, V> afterLease(K key, Flight<V> flight, byte[] valueKey, Plan.Load<V> load, FleetLease.Outcome<V> outcome) {
    if (outcome instanceof FleetLease.Outcome.Filled<V> filled) {
      return new Step.Found<>(l1.storeDecoded(key, flight, filled.entry(), ticker.read(), reads.redisNowMs()));
    }
    if (outcome instanceof FleetLease.Outcome.Leased<V> leased) {
      return new OriginCall<>(key, flight, load.local(), load.stale(), valueKey, leased.leaseKey(), leased.token());
    }
    return OriginCall.local(key, flight, load.local(), load.stale());
  }

  /** An L1 entry past its soft expiry, served at once under stale-while-revalidate; one refresh starts. */
  V serveStale(K key, Plan.ServeLocal<V> serve, Origin<K, V> origin) {
    meters.staleServes.increment();
    refresher.start(key, origin, serve.refreshSeenMs());
    return serve.entry().value;
  }

  /**
   * While the origin is spared: any L1 entry however old, else any Redis entry, else the spared
   * fallback, else a failed {@link OriginSparedException} naming cache and key.
   */
  CompletableFuture<V> spared(K key, L1Entry<V> local) {
    meters.spared.increment();
    if (local != null || reads == null) {
      return CompletableFuture.completedFuture(sparedValue(key, planner.plan(local, null, true, 0, 0, 1.0)));
    }
    return reads.get(keys.value(keyCodec.encode(key)))
        .thenApply(read -> sparedValue(key, planner.plan(null, read, true, 0, 0, 1.0)));
  }

  V sparedValue(K key, Plan<V> plan) {
    Plan.Spared<V> spared = (Plan.Spared<V>) plan;
    if (spared.local() != null) {
      meters.staleServes.increment();
      return spared.local().value;
    }
    if (spared.redis() != null) {
      meters.staleServes.increment();
      return spared.redis().value();
    }
    if (sparedFallback != null) {
      return sparedFallback.apply(key);
    }
    throw new OriginSparedException("TieredCache[" + cache + "] is sparing the origin and has nothing for key " + key);
  }

  /**
   * Ends a leader's flight with {@code outcome}: lets the next miss of the key start a load, then
   * completes the flight (its callers see the outcome), in this order, so that a caller who got the
   * outcome and asks again does not join this ended flight.
   */
  private void end(K key, Flight<V> flight, CompletableFuture<V> outcome, boolean wrapChecked) {
    outcome.whenComplete((value, error) -> {
      l1.finish(key, flight);
      if (error == null) {
        flight.complete(value);
      } else {
        Throwable failure = Futures.unwrap(error);
        flight.completeExceptionally(wrapChecked ? failure(key, failure) : failure);
      }
    });
  }

  /** A failure as {@code get} throws it: unchecked ones and errors as they are, checked ones wrapped. */
  Throwable failure(Object key, Throwable e) {
    if (e instanceof RuntimeException || e instanceof Error) {
      return e;
    }
    return new CacheLoadException("TieredCache[" + cache + "] loader failed" + (key == null ? "" : " for key " + key),
        e);
  }

  static RuntimeException sneaky(Throwable e) {
    if (e instanceof Error error) {
      throw error;
    }
    return (RuntimeException) e;
  }

  private static <K, V> CompletableFuture<Step<K, V>> found(V value) {
    return CompletableFuture.completedFuture(new Step.Found<>(value));
  }

  private static <V> L1Entry<V> usable(L1Entry<V> local, long now) {
    return local != null && local.usable(now) ? local : null;
  }

  static double random() {
    return 1.0 - ThreadLocalRandom.current().nextDouble(); // in (0, 1], so its log is finite
  }
}
