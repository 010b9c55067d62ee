package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.SharedScheduler;
import dev.ballast.redis.RedisGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's link to Redis beyond single calls: the connection and the invalidation subscription
 * (opened, and reopened, in the background), whether Redis answers (a heartbeat), the L1 cap that follows
 * from both, and the invalidations Redis did not take, replayed when it answers again.
 *
 * <p>States and what L1 does in each (the module README's staleness table):
 * <ul>
 *   <li>trusted: subscription up, Redis answering, nothing pending: entries live {@code l1Ttl};
 *   <li>subscription down, or Redis unreachable (a call failed or timed out, or the heartbeat did): every
 *       entry is capped at {@code l1TtlWhileDisconnected} from then, and new ones too
 *       ({@link L1Store#subscriptionLost}, {@link L1Store#redisUnreachable});
 *   <li>deferred writes pending: this instance reads those keys (all keys, for a pending "everything")
 *       from L1 and the loader only ({@link #readsBlocked}), so it never reads a value its own write
 *       replaced; every other key reads Redis as usual; the next heartbeat that finds Redis answering replays them
 *       (deletes, then messages) and only then lifts the cap and the block.
 * </ul>
 *
 * <p>Threads: one heartbeat every {@code tick} on the shared scheduler hands the work (connect, subscribe,
 * heartbeat, replay) to the cache's executor, one run at a time ({@code running}, CAS). The subscription
 * ({@code bus}) is volatile and created under {@code this}; the pending invalidations guard themselves.
 */
final class RedisLink<K> implements RedisTier.Link, InvalidationBus.Receiver, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
  /** Most keys kept for replay before they collapse into one "invalidate everything". */
  static final int MAX_PENDING_KEYS = 10_000;
  private static final long MIN_BEAT_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final TieredCacheConfig config;
  private final RedisConnector connector;
  private final L1Store<K, ?> l1;
  private final Codec<K> keyCodec;
  private final KeySpace keys;
  private final CacheMeters meters;
  private final Executor executor;
  private final PendingInvalidations pending;
  private final long tickNanos;
  private final long timeoutNanos;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean reportedDown = new AtomicBoolean();
  /** Set once by {@link #assemble}, before {@link #start()}. */
  private volatile RedisTier tier;
  /** Null until the subscription could be opened (or for no invalidation). */
  private volatile InvalidationBus bus;
  private volatile ScheduledFuture<?> heartbeat;
  private volatile long lastBeat = System.nanoTime();

  RedisLink(TieredCacheConfig config, RedisConnector connector, L1Store<K, ?> l1, Codec<K> keyCodec, KeySpace keys,
      CacheMeters meters, Executor executor) {
    this.config = config;
    this.connector = connector;
    this.l1 = l1;
    this.keyCodec = keyCodec;
    this.keys = keys;
    this.meters = meters;
    this.executor = executor;
    this.pending = new PendingInvalidations(MAX_PENDING_KEYS, meters, keys::value);
    long disconnected = Check.saturatedNanos(config.l1TtlWhileDisconnected());
    // Four beats per l1TtlWhileDisconnected: an unreachable Redis is noticed well within the bound.
    this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(disconnected / 4, TimeUnit.SECONDS.toNanos(1)));
    this.timeoutNanos = Check.saturatedNanos(config.redisTimeout());
    if (config.invalidation()) {
      // Until the subscription is open, L1 entries may miss invalidations: cap them as for a drop.
      l1.subscriptionLost();
    }
  }

  /**
   * The cache's link to Redis, assembled: its guard (a breaker on real time, not the cache's ticker: it
   * judges Redis's latency, and a test's frozen clock would otherwise keep an opened breaker open for ever),
   * its port ({@link #tier()}), its gauges. Nothing connects and no thread runs until {@link #start()}.
   */
  static <K> RedisLink<K> assemble(TieredCacheConfig config, Wiring<K, ?> wiring, L1Store<K, ?> l1, KeySpace keys,
      CacheMeters meters) {
    String component = "cache:" + config.name();
    // The default breaker publishes its ballast.circuitbreaker.* meters (name redis:cache:NAME) to the cache's
    // registry, as the switchboard's does; a breaker the application built keeps its own.
    RedisGuard guard = RedisGuard.create(component, wiring.redisBreaker() != null ? wiring.redisBreaker()
        : RedisGuard.defaultBreaker(component, Ticker.system(), wiring.registry()), Ticker.system(),
        wiring.registry());
    RedisLink<K> link = new RedisLink<>(config, wiring.redis(), l1, wiring.keyCodec(), keys, meters,
        wiring.executor());
    link.tier = new RedisTier(wiring.redis(), guard, link, Check.saturatedNanos(config.redisTimeout()));
    if (config.invalidation()) {
      meters.gauge("ballast.cache.subscription.up", l1, store -> store.subscriptionDown() ? 0 : 1,
          "1 while the invalidation subscription is up, 0 while L1 is capped for want of it");
    }
    meters.gauge("ballast.cache.invalidations.pending", link, RedisLink::pendingCount,
        "Invalidations Redis has not taken yet, kept for replay (one for 'all')");
    return link;
  }

  /** The Redis port built with this link. */
  RedisTier tier() {
    return tier;
  }

  /** Opens what it can now (connection, subscription) and starts the heartbeat: the cache's {@code build()}. */
  void start() {
    if (!connectRemaining()) {
      log.warn("Redis is not reachable for cache {}: serving from L1 and the loader, connecting again in the"
          + " background", config.name());
      reportedDown.set(true);
    }
    heartbeat = SharedScheduler.get().scheduleWithFixedDelay(this::beat, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
  }

  int pendingCount() {
    return pending.size();
  }

  // ---------------------------------------------------------------- RedisTier.Link

  @Override
  public boolean readsBlocked(byte[] redisKey) {
    if (pending.isEmpty()) {
      return false;
    }
    beatSoon(); // replay as soon as Redis answers, not a tick later
    return pending.blocks(redisKey);
  }

  @Override
  public void unreachable() {
    l1.redisUnreachable();
  }

  // ---------------------------------------------------------------- the write path's side

  /** Tells the other instances to evict the key; a message Redis does not take is kept for replay. */
  void send(byte[] encodedKey) {
    InvalidationBus current = bus;
    if (current != null) {
      current.send(encodedKey);
    } else if (config.invalidation()) {
      defer(encodedKey);
    }
  }

  /** Tells the other instances to clear their L1. */
  void sendAll() {
    InvalidationBus current = bus;
    if (current != null) {
      current.sendAll(false);
    } else if (config.invalidation()) {
      deferAll();
    }
  }

  /** Keeps the key's delete and message for replay (Redis did not take the write). */
  void defer(byte[] encodedKey) {
    pending.add(encodedKey);
    beatSoon();
  }

  void deferAll() {
    pending.addAll();
    beatSoon();
  }

  /** A put reached Redis: the key's older value is gone there, so a pending delete of it may go. */
  void applied(byte[] encodedKey) {
    if (!pending.isEmpty()) {
      pending.applied(encodedKey);
    }
  }

  // ---------------------------------------------------------------- InvalidationBus.Receiver

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

  @Override
  public void notSent(List<byte[]> encodedKeys) {
    for (byte[] key : encodedKeys) {
      pending.add(key);
    }
  }

  @Override
  public void notSentAll() {
    pending.addAll();
  }

  // ---------------------------------------------------------------- the heartbeat

  /** A check now unless one started in the last few milliseconds (reads call this while blocked). */
  private void beatSoon() {
    long now = System.nanoTime();
    long last = lastBeat;
    if (now - last >= MIN_BEAT_SPACING_NANOS) {
      beat();
    }
  }

  /** Runs one check on the executor unless one is running; never blocks the caller. */
  private void beat() {
    if (closed.get() || !running.compareAndSet(false, true)) {
      return;
    }
    lastBeat = System.nanoTime();
    try {
      executor.execute(() -> {
        try {
          check();
        } catch (RuntimeException e) {
          log.debug("Redis check of cache {} failed", config.name(), e);
        } finally {
          running.set(false);
        }
      });
    } catch (RejectedExecutionException e) {
      running.set(false); // the next tick tries again
    }
  }

  /** Connect, subscribe, ask Redis, replay: each step only if the one before worked. */
  private void check() {
    if (!connectRemaining() || !tier.heartbeat()) {
      l1.redisUnreachable();
      return;
    }
    if (!pending.isEmpty() && !replay()) {
      return;
    }
    InvalidationBus current = bus;
    if (current != null) {
      current.probeIfDown();
    }
    l1.redisAnswering();
    if (reportedDown.compareAndSet(true, false)) {
      log.info("Cache {} is connected to Redis", config.name());
    }
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
          bus = InvalidationBus.open(connector, tier, config.keyPrefix() + "invalidations",
              Check.saturatedNanos(config.invalidationBatchWindow()), this, meters, timeoutNanos);
        } catch (RuntimeException e) {
          return false;
        }
        // Whatever L1 holds was cached without the subscription (and capped meanwhile): start clean.
        l1.subscriptionRestored();
      }
    }
    return true;
  }

  /**
   * Replays what is pending: deletes in Redis, then the messages, each bounded by {@code redisTimeout};
   * forgets what was replayed (unless deferred again meanwhile). Returns whether nothing is left.
   */
  private boolean replay() {
    PendingInvalidations.Batch batch = pending.snapshot();
    if (batch.isEmpty()) {
      return true;
    }
    if (batch.everything() && tier.replayDeleteMatching(keys.pattern()) == RedisTier.Outcome.UNREACHED) {
      return false;
    }
    if (!batch.keys().isEmpty()) {
      List<byte[][]> pairs = new ArrayList<>(batch.keys().size());
      for (byte[] key : batch.keys()) {
        pairs.add(new byte[][] {keys.value(key), keys.lease(key)});
      }
      if (tier.deleteEach(pairs) == RedisTier.Outcome.UNREACHED) {
        return false;
      }
    }
    InvalidationBus current = bus;
    if (current != null) {
      if (batch.everything() && !delivered(current.sendAll(true))) {
        return false;
      }
      if (!batch.keys().isEmpty() && !delivered(current.sendNow(batch.keys(), true))) {
        return false;
      }
    }
    pending.replayed(batch);
    log.info("Cache {} replayed {} invalidation(s) that Redis had not taken", config.name(),
        batch.everything() ? "all" : String.valueOf(batch.keys().size()));
    return pending.isEmpty();
  }

  private boolean delivered(CompletionStage<Boolean> sent) {
    try {
      return sent.toCompletableFuture().get(2 * timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /**
   * Stops the heartbeat, tries one last replay (bounded by {@code redisTimeout} per step) and closes the
   * subscription. What is still pending then is lost with this instance: logged.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    ScheduledFuture<?> task = heartbeat;
    if (task != null) {
      task.cancel(false);
    }
    if (!pending.isEmpty() && tier != null && tier.isConnected() && !replay()) {
      log.warn("Cache {} closed with {} invalidation(s) Redis has not taken: other instances may serve the"
          + " older values until they expire", config.name(), pending.size());
    }
    synchronized (this) {
      if (bus != null) {
        bus.close();
      }
    }
  }
}
