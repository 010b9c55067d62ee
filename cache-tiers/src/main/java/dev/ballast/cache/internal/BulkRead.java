package dev.ballast.cache.internal;

import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.OriginSparedException;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code getAll} and {@code warm}: the single-key read path's decisions ({@link ReadPlanner}), lease
 * ({@link FleetLease}) and fill ({@link Fill}) for many keys at once: L1 for each key; one flight per
 * key in this JVM (keys being loaded by another caller are joined); one {@code MGET}; the lease scripts of
 * the keys still missing sent together, the ones held by other instances polled together on a timer;
 * one call of the bulk loader for the keys this instance leads; one fill per loaded key. So {@code getAll}
 * honours the fleet lease, {@code spareOrigin}, stale-while-revalidate and stale-if-error as {@code get}
 * does. Stateless beyond its collaborators.
 */
final class BulkRead<K, V> {

  private static final Logger log = LoggerFactory.getLogger(BulkRead.class);

  /** The single-key read path: its collaborators (package-private fields) and steps are shared. */
  private final ReadPath<K, V> path;
  private final Fill<K, V> fill;

  BulkRead(ReadPath<K, V> path, Fill<K, V> fill) {
    this.path = path;
    this.fill = fill;
  }

  /** What one call asked for, sorted by where each key stands. */
  private final class Batch {
    final Map<K, V> result = new LinkedHashMap<>();
    final Map<K, Flight<V>> mine = new LinkedHashMap<>();
    final Map<K, Flight<V>> joined = new LinkedHashMap<>();
    final Map<K, L1Entry<V>> locals = new LinkedHashMap<>();
    final List<K> spared = new ArrayList<>();
    final long now = path.ticker.read();
    final long arrived = System.nanoTime();
    /** Values as they come, from stages that may complete on other threads. */
    final Map<K, V> filled = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicInteger loaded = new java.util.concurrent.atomic.AtomicInteger();
  }

  /**
   * {@code getAll}: the bulk loader runs on this thread, once, for the keys this instance leads.
   *
   * @throws dev.ballast.cache.CacheLoadException as {@code get} does, for the loader's checked failure
   *     (when a key it was asked for has no stale value) or a wait interrupted or over its bound
   */
  Map<K, V> getAll(Collection<? extends K> requested, BulkLoader<? super K, ? extends V> loader,
      Supplier<NullPointerException> nullKey) {
    Batch batch = sort(requested, loader, nullKey);
    if (!batch.spared.isEmpty()) {
      serveSpared(batch);
    }
    if (!batch.mine.isEmpty()) {
      try {
        List<OriginCall<K, V>> calls = awaitOwn(prepare(batch, loader));
        if (!calls.isEmpty()) {
          awaitOwn(call(batch, calls, loader));
        }
      } finally {
        batch.mine.forEach((key, flight) -> {
          path.l1.finish(key, flight);
          // Any flight not completed by now failed with the call (or was interrupted): its joiners retry.
          flight.completeExceptionally(Flight.abandoned(path.cache, key));
        });
      }
      for (K key : batch.mine.keySet()) {
        V value = batch.filled.get(key);
        if (value != null) {
          batch.result.put(key, value);
        }
      }
    }
    for (Map.Entry<K, Flight<V>> e : batch.joined.entrySet()) {
      // A load of another caller: waited for as a blocking get waits (twice maxLeaseWait at most).
      long left = 2 * path.flightWaitNanos - (System.nanoTime() - batch.arrived);
      if (!e.getValue().awaitFor(left, path.cache, e.getKey())) {
        throw Flight.timedOut(path.cache, e.getKey(), 2 * path.flightWaitNanos);
      }
      V value = e.getValue().result();
      if (value != null) {
        batch.result.put(e.getKey(), value);
      }
    }
    return batch.result;
  }

  /**
   * {@code warm}: the keys in chunks of {@code warmUpChunk}, one chunk after the other (each on the
   * executor), so that each chunk's {@code MGET}, lease call and bulk load stay small: a Redis call that
   * outlived {@code redisTimeout} would make this instance load its keys for itself, beside the instance
   * that holds their leases. Stops at the first chunk that fails. Completes with the keys loaded.
   */
  CompletableFuture<Integer> warmInChunks(Collection<? extends K> requested, BulkLoader<? super K, ? extends V> loader,
      Supplier<NullPointerException> nullKey, int chunk) {
    List<K> keys = new ArrayList<>(requested.size());
    for (K key : requested) {
      if (key == null) {
        return CompletableFuture.failedFuture(nullKey.get());
      }
      keys.add(key);
    }
    CompletableFuture<Integer> done = warm(keys.subList(0, Math.min(chunk, keys.size())), loader, nullKey);
    for (int from = chunk; from < keys.size(); from += chunk) {
      List<K> part = keys.subList(from, Math.min(keys.size(), from + chunk));
      done = done.thenComposeAsync(sum -> warm(part, loader, nullKey).thenApply(n -> sum + n), path.executor);
    }
    return done;
  }

  /**
   * {@code warmUp}: {@link #warmInChunks}, waited for at most {@code wait}; -1 when it is still running
   * (it goes on) or failed (logged once here).
   *
   * @throws CacheLoadException if this thread was interrupted while waiting (its flag set again)
   */
  int warmUp(Collection<? extends K> requested, BulkLoader<? super K, ? extends V> loader,
      Supplier<NullPointerException> nullKey, int chunk, Duration wait) {
    CompletableFuture<Integer> done = warmInChunks(requested, loader, nullKey, chunk);
    try {
      return done.get(Check.saturatedNanos(wait), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn("Warm-up of cache {} ({} keys) not done after {} ms: going on in the background", path.cache,
          requested.size(), wait.toMillis());
    } catch (ExecutionException e) {
      log.warn("Warm-up of cache {} ({} keys) failed: the traffic will fill the cache", path.cache,
          requested.size(), Futures.unwrap(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Flight.interrupted(path.cache, null, e);
    }
    return -1;
  }

  /**
   * Warm-up: loads the keys that neither tier holds, one instance per key across the fleet (a key whose
   * lease another instance holds is waited for, bounded by {@code maxLeaseWait}, not loaded); nothing
   * while the origin is spared. Runs on the executor; holds no thread while Redis or a lease is waited
   * for. Completes with how many keys this instance loaded; fails as {@code getAll} would throw.
   */
  CompletableFuture<Integer> warm(Collection<? extends K> requested, BulkLoader<? super K, ? extends V> loader,
      Supplier<NullPointerException> nullKey) {
    if (path.spareOrigin.getAsBoolean()) {
      return CompletableFuture.completedFuture(0);
    }
    Batch batch;
    try {
      batch = sort(requested, loader, nullKey);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    batch.spared.clear(); // the signal flipped meanwhile: serve nothing, load nothing
    if (batch.mine.isEmpty()) {
      return CompletableFuture.completedFuture(0);
    }
    CompletableFuture<Integer> done = prepare(batch, loader)
        .thenComposeAsync(calls -> calls.isEmpty() ? CompletableFuture.completedFuture(null)
            : call(batch, calls, loader), path.executor)
        .thenApply(ignored -> batch.loaded.get());
    return done.whenComplete((count, error) -> batch.mine.forEach((key, flight) -> {
      path.l1.finish(key, flight);
      flight.completeExceptionally(Flight.abandoned(path.cache, key));
    }));
  }

  /** L1 for each key; flights for the misses; stale-while-revalidate for stale L1 entries. */
  private Batch sort(Collection<? extends K> requested, BulkLoader<? super K, ? extends V> loader,
      Supplier<NullPointerException> nullKey) {
    Batch batch = new Batch();
    boolean spare = path.spareOrigin.getAsBoolean();
    for (K key : requested) {
      if (key == null) {
        throw nullKey.get();
      }
      L1Entry<V> entry = path.l1.getIfPresent(key);
      if (path.l1.servable(entry)) {
        path.meters.l1Hits.increment();
        if (entry.value != null) {
          batch.result.put(key, entry.value);
        }
        continue;
      }
      if (batch.mine.containsKey(key) || batch.joined.containsKey(key) || batch.locals.containsKey(key)) {
        continue;
      }
      path.meters.l1Misses.increment();
      if (spare) {
        batch.spared.add(key);
        batch.locals.put(key, entry);
        continue;
      }
      if (path.planner.plan(entry, null, false, batch.now, 0, 1.0) instanceof Plan.ServeLocal<V> stale) {
        V value = path.serveStale(key, stale, Origin.bulk(loader));
        if (value != null) {
          batch.result.put(key, value);
        }
        batch.locals.put(key, entry);
        continue;
      }
      Flight<V> flight = path.l1.newFlight();
      Flight<V> running = path.l1.register(key, flight);
      if (running != null) {
        batch.joined.put(key, running);
      } else {
        batch.mine.put(key, flight);
        batch.locals.put(key, entry != null && entry.usable(batch.now) ? entry : null);
      }
    }
    return batch;
  }

  /**
   * The keys this call leads: L1 once more, one {@code MGET}, the plan per key, the leases. Completes
   * with the origin calls to make; every other key's flight is completed.
   */
  private CompletableFuture<List<OriginCall<K, V>>> prepare(Batch batch, BulkLoader<? super K, ? extends V> loader) {
    List<K> pending = new ArrayList<>();
    for (Map.Entry<K, Flight<V>> e : batch.mine.entrySet()) {
      L1Entry<V> again = path.l1.getIfPresent(e.getKey());
      if (path.l1.servable(again)) {
        complete(batch, e.getKey(), again.value);
      } else {
        pending.add(e.getKey());
      }
    }
    List<OriginCall<K, V>> calls = new ArrayList<>();
    if (path.reads == null || pending.isEmpty()) {
      for (K key : pending) {
        calls.add(OriginCall.local(key, batch.mine.get(key), batch.locals.get(key), null));
      }
      return CompletableFuture.completedFuture(calls);
    }
    List<byte[]> encoded = new ArrayList<>(pending.size());
    byte[][] valueKeys = new byte[pending.size()][];
    for (int i = 0; i < pending.size(); i++) {
      encoded.add(path.keyCodec.encode(pending.get(i)));
      valueKeys[i] = path.keys.value(encoded.get(i));
    }
    return path.reads.getAll(valueKeys).thenCompose(found -> {
      long redisNow = path.reads.redisNowMs();
      List<Integer> toLease = new ArrayList<>();
      List<Plan.Load<V>> loads = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        K key = pending.get(i);
        Flight<V> flight = batch.mine.get(key);
        Plan<V> plan = path.planner.plan(batch.locals.get(key), found.get(i), false, batch.now, redisNow,
            ReadPath.random());
        if (plan instanceof Plan.ServeLocal<V> keep) {
          complete(batch, key, path.l1.restore(key, flight, keep.entry(), batch.now));
        } else if (plan instanceof Plan.ServeRedis<V> serve) {
          complete(batch, key, path.serveRedis(key, flight, serve, Origin.bulk(loader)));
        } else {
          Plan.Load<V> load = (Plan.Load<V>) plan;
          if (load.leased()) {
            path.meters.l2Misses.increment();
            toLease.add(i);
            loads.add(load);
          } else {
            calls.add(OriginCall.local(key, flight, load.local(), load.stale()));
          }
        }
      }
      if (toLease.isEmpty()) {
        return CompletableFuture.completedFuture(calls);
      }
      List<byte[]> leaseKeys = new ArrayList<>(toLease.size());
      long[] unreadable = new long[toLease.size()];
      for (int n = 0; n < toLease.size(); n++) {
        leaseKeys.add(encoded.get(toLease.get(n)));
        unreadable[n] = loads.get(n).unreadableMs();
      }
      return path.lease.take(leaseKeys, unreadable, true).thenApply(outcomes -> {
        for (int n = 0; n < toLease.size(); n++) {
          int i = toLease.get(n);
          K key = pending.get(i);
          Step<K, V> step = path.afterLease(key, batch.mine.get(key), valueKeys[i], loads.get(n), outcomes.get(n));
          if (step instanceof Step.Found<K, V> got) {
            complete(batch, key, got.value());
          } else {
            calls.add((OriginCall<K, V>) step);
          }
        }
        return calls;
      });
    });
  }

  /**
   * One call of the bulk loader, on this thread, for {@code calls}; then one fill per key. After a
   * failure each key gets its stale value if it may be served; the call fails if any key has none.
   */
  private CompletableFuture<Void> call(Batch batch, List<OriginCall<K, V>> calls,
      BulkLoader<? super K, ? extends V> loader) {
    List<K> asked = new ArrayList<>(calls.size());
    for (OriginCall<K, V> call : calls) {
      asked.add(call.key());
    }
    long start = path.ticker.read();
    Map<? super K, ? extends V> loaded;
    Throwable failure = null;
    try {
      loaded = loader.loadAll(new LinkedHashSet<>(asked));
    } catch (Throwable e) {
      loaded = null;
      failure = e;
    }
    long end = path.ticker.read();
    List<CompletableFuture<?>> fills = new ArrayList<>(calls.size());
    List<Throwable> unserved = new ArrayList<>();
    for (OriginCall<K, V> call : calls) {
      CompletableFuture<V> filled = failure == null
          ? fill.loaded(call, start, end, loaded == null ? null : loaded.get(call.key()))
          : fill.failed(call, start, end, failure);
      fills.add(filled.handle((value, error) -> {
        if (error == null) {
          batch.loaded.incrementAndGet();
          complete(batch, call.key(), value);
        } else {
          Throwable cause = path.failure(call.key(), Futures.unwrap(error));
          synchronized (unserved) {
            unserved.add(cause);
          }
          batch.mine.get(call.key()).completeExceptionally(cause);
        }
        return null;
      }));
    }
    return CompletableFuture.allOf(fills.toArray(new CompletableFuture<?>[0])).thenRun(() -> {
      synchronized (unserved) {
        if (!unserved.isEmpty()) {
          throw new java.util.concurrent.CompletionException(unserved.get(0));
        }
      }
    });
  }

  /** While the origin is spared: any L1 entry, else any Redis entry (one MGET), else the fallback. */
  private void serveSpared(Batch batch) {
    path.meters.spared.add(batch.spared.size());
    List<K> fromRedis = new ArrayList<>();
    for (K key : batch.spared) {
      L1Entry<V> local = batch.locals.get(key);
      if (local != null) {
        path.meters.staleServes.increment();
        if (local.value != null) {
          batch.result.put(key, local.value);
        }
      } else {
        fromRedis.add(key);
      }
    }
    if (fromRedis.isEmpty()) {
      return;
    }
    List<L2Read<V>> found = null;
    if (path.reads != null) {
      byte[][] valueKeys = new byte[fromRedis.size()][];
      for (int i = 0; i < valueKeys.length; i++) {
        valueKeys[i] = path.keys.value(path.keyCodec.encode(fromRedis.get(i)));
      }
      found = awaitOwn(path.reads.getAll(valueKeys));
    }
    List<K> nothing = new ArrayList<>();
    for (int i = 0; i < fromRedis.size(); i++) {
      K key = fromRedis.get(i);
      L2Read<V> read = found == null ? null : found.get(i);
      Plan.Spared<V> plan = (Plan.Spared<V>) path.planner.<V>plan(null, read, true, 0, 0, 1.0);
      V value;
      if (plan.redis() != null) {
        path.meters.staleServes.increment();
        value = plan.redis().value();
      } else if (path.sparedFallback != null) {
        value = path.sparedFallback.apply(key);
      } else {
        nothing.add(key);
        continue;
      }
      if (value != null) {
        batch.result.put(key, value);
      }
    }
    if (!nothing.isEmpty()) {
      throw new OriginSparedException("TieredCache[" + path.cache + "] is sparing the origin and has nothing for "
          + "keys "
          + (nothing.size() > 10 ? nothing.subList(0, 10) + " and " + (nothing.size() - 10) + " more" : nothing));
    }
  }

  private void complete(Batch batch, K key, V value) {
    if (value != null) {
      batch.filled.put(key, value);
    }
    batch.mine.get(key).complete(value);
  }

  private <T> T awaitOwn(CompletableFuture<T> step) {
    return path.awaitOwn(step, null); // null: the call's keys, not one
  }
}
