package dev.ballast.cache.internal;

import dev.ballast.core.internal.SharedScheduler;
import dev.ballast.redis.RedisErrorKind;
import dev.ballast.redis.RedisReply;
import dev.ballast.redis.RedisScript;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The read path's half of the Redis port: {@code GET}, {@code MGET} and the lease scripts, each sent
 * without waiting (so a caller holds no thread meanwhile, and many keys share one round trip), each
 * failed after {@code redisTimeout} by a timer, each through the cache's {@code RedisGuard}, each with a
 * typed reply ({@link L2Read}, {@link LeaseReply}) instead of an {@code Object} and sentinels. A reply
 * that did not come is {@code Down} and counted in {@code ballast.cache.l2.errors{reason=unavailable}}.
 *
 * <p>Thread-safe; no state beyond its collaborators (the connection belongs to {@link RedisTier}).
 */
final class RedisReads<V> {

  private static final RedisScript LEASE = RedisScript.fromResource(RedisTier.class, "lease.lua");
  private static final RedisScript RELEASE = RedisScript.fromResource(RedisTier.class, "release.lua");
  private static final byte[] NONE = new byte[0];

  /** What the lease script answered for one key. */
  sealed interface LeaseReply {
    /** A fresh entry (its bytes, not yet decoded). */
    record Value(byte[] bytes) implements LeaseReply {}

    /** The lease is ours now. */
    record Acquired() implements LeaseReply {}

    /** Another holder has it for {@code pttlMs} more (never more than our lease TTL). */
    record Held(long pttlMs) implements LeaseReply {}

    /** Redis could not be asked. */
    record Down() implements LeaseReply {}
  }

  /** How the lease script treats a fresh value. */
  enum Mode {
    /** Return a fresh value, else take the lease (a miss). */
    MISS("0"),
    /** Take the lease unless a value written after the one seen is there (a refresh). */
    REFRESH("1");

    final byte[] arg;

    Mode(String arg) {
      this.arg = RedisTier.ascii(arg);
    }
  }

  private final RedisTier tier;
  private final EntryReader<V> reader;
  private final CacheMeters meters;
  private final long timeoutNanos;
  /** A {@code GET}'s reply, typed; one instance, so an L2 hit allocates no lambda for it. */
  private final Function<byte[], L2Read<V>> entry;

  RedisReads(RedisTier tier, EntryReader<V> reader, CacheMeters meters, long timeoutNanos) {
    this.tier = tier;
    this.reader = reader;
    this.meters = meters;
    this.timeoutNanos = timeoutNanos;
    this.entry = bytes -> L2Read.of(bytes, reader);
  }

  /** Redis's clock in epoch ms, as last learnt. */
  long redisNowMs() {
    return tier.redisNowMs();
  }

  /** The entry under {@code valueKey}. */
  CompletableFuture<L2Read<V>> get(byte[] valueKey) {
    // A value key holding another type (WRONGTYPE): a bad entry of this key only, which the lease and the
    // fill replace.
    return guarded(tier.readsBlocked(valueKey), () -> tier.commands().get(valueKey), entry, L2Read.Down::new,
        () -> new L2Read.Unreadable<>(-1));
  }

  /**
   * The entry under {@code valueKey}, waited for on this thread (at most {@code redisTimeout}): a blocking
   * caller's first step, which so costs what a plain {@code GET} costs (no timer, no stage). An interrupt
   * ends the wait (the guard sets the flag again) and reads as {@link L2Read.Interrupted}: not counted,
   * not an outage.
   */
  L2Read<V> getNow(byte[] valueKey) {
    if (tier.readsBlocked(valueKey)) {
      meters.l2Unavailable.increment();
      return new L2Read.Down<>();
    }
    RedisReply<byte[]> reply = tier.guard().attempt(() -> tier.await(tier.commands().get(valueKey)));
    if (reply instanceof RedisReply.Failed<byte[]> failed && failed.kind() == RedisErrorKind.INTERRUPTED) {
      return new L2Read.Interrupted<>();
    }
    return typed(reply, entry, L2Read.Down::new, () -> new L2Read.Unreadable<>(-1));
  }

  /**
   * The entries under {@code valueKeys}, in order; all {@code Down} if Redis could not be asked, and
   * {@code Down} for a key whose deferred write waits to be replayed.
   */
  CompletableFuture<List<L2Read<V>>> getAll(byte[][] valueKeys) {
    boolean[] blocked = new boolean[valueKeys.length];
    boolean all = true;
    for (int i = 0; i < valueKeys.length; i++) {
      blocked[i] = tier.readsBlocked(valueKeys[i]);
      all &= blocked[i];
    }
    return guarded(all, () -> tier.commands().mget(valueKeys), found -> {
      List<L2Read<V>> reads = new ArrayList<>(found.size());
      for (int i = 0; i < found.size(); i++) {
        KeyValue<byte[], byte[]> kv = found.get(i);
        reads.add(blocked[i] ? new L2Read.Down<>() : L2Read.of(kv.hasValue() ? kv.getValue() : null, reader));
      }
      return reads;
    }, () -> {
      List<L2Read<V>> down = new ArrayList<>(valueKeys.length);
      for (int i = 0; i < valueKeys.length; i++) {
        down.add(new L2Read.Down<>());
      }
      return down;
    });
  }

  /**
   * The lease script for one key. {@code seenMs}: in {@link Mode#MISS}, the write time of an entry this
   * version cannot read (treated as absent); in {@link Mode#REFRESH}, the write time of the entry the
   * refresh replaces (a later one stops it); -1 for none.
   */
  CompletableFuture<LeaseReply> lease(byte[] valueKey, byte[] leaseKey, byte[] token, long leaseMs, Mode mode,
      long seenMs) {
    return guarded(tier.readsBlocked(valueKey), () -> LEASE.<byte[], byte[], List<Object>>evalAsync(tier.commands(), ScriptOutputType.MULTI,
        new byte[][] {valueKey, leaseKey}, token, RedisTier.ascii(leaseMs), mode.arg,
        seenMs < 0 ? NONE : RedisTier.ascii(seenMs)), this::leaseReply, LeaseReply.Down::new);
  }

  private LeaseReply leaseReply(List<Object> reply) {
    tier.learn((Long) reply.get(1));
    long kind = (Long) reply.get(0);
    if (kind == 1) {
      return new LeaseReply.Value((byte[]) reply.get(2));
    }
    return kind == 2 ? new LeaseReply.Acquired() : new LeaseReply.Held((Long) reply.get(2));
  }

  /** What a fill's write script answered. */
  enum FillReply {
    /** Written (and the lease released). */
    WRITTEN,
    /** Not written: the lease was no longer ours (a write or invalidation came meanwhile). */
    REJECTED,
    /** Redis could not be asked. */
    DOWN,
    /** Redis refused this write (an error about its data, {@code OOM} under {@code maxmemory}). */
    REFUSED
  }

  /** A fill: writes the entry only while {@code token} is still the key's lease ({@code write.lua}). */
  CompletableFuture<FillReply> fill(byte[] valueKey, byte[] leaseKey, byte[] token, long softMs, long hardMs,
      long loadMs, boolean absent, byte[] payload) {
    return guarded(tier.readsBlocked(valueKey), () -> tier.writeAsync(valueKey, leaseKey, token, softMs, hardMs, loadMs, absent, payload),
        reply -> tier.writeReply(reply) ? FillReply.WRITTEN : FillReply.REJECTED, () -> FillReply.DOWN,
        () -> FillReply.REFUSED);
  }

  /**
   * Releases our lease if it is still ours; completes when Redis answered (or could not be asked: the
   * lease expires anyway). Never fails.
   */
  CompletableFuture<Long> release(byte[] leaseKey, byte[] token) {
    // Never blocked: releasing our own lease cannot read a value a deferred write replaced.
    return guarded(false, () -> RELEASE.<byte[], byte[], Long>evalAsync(tier.commands(), ScriptOutputType.INTEGER,
        new byte[][] {leaseKey}, token), Function.identity(), () -> 0L);
  }

  /**
   * One call through the guard, typed: {@code read} of the reply; {@code down} when the call is
   * {@code blocked} (a deferred write of its key waits to be replayed), Redis could not be asked or did not
   * answer (an outage, counted as unavailable), {@code refused} when it answered with an
   * error about this call's data ({@code WRONGTYPE}, a script error: the classification is
   * {@link dev.ballast.redis.RedisErrorKind}'s, and the guard counts and logs it).
   */
  private <R, T> CompletableFuture<T> guarded(boolean blocked, Supplier<? extends CompletionStage<R>> call,
      Function<R, T> read, Supplier<T> down, Supplier<T> refused) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (blocked) {
      // This instance's write of the key that Redis did not take waits to be replayed: reading now could
      // return the value it replaced.
      meters.l2Unavailable.increment();
      result.complete(down.get());
      return result;
    }
    tier.guard().<R>attemptAsync(() -> timed(call.get())).whenComplete((reply, error) -> {
      try {
        result.complete(typed(reply, read, down, refused));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /** What a reply means for the read path (see {@link #guarded}). */
  private <R, T> T typed(RedisReply<R> reply, Function<R, T> read, Supplier<T> down, Supplier<T> refused) {
    if (reply instanceof RedisReply.Ok<R> ok) {
      return read.apply(ok.value());
    }
    if (reply instanceof RedisReply.Failed<R> failed && !failed.kind().isOutage()
        && failed.kind() != RedisErrorKind.INTERRUPTED) {
      return refused.get();
    }
    if (!(reply instanceof RedisReply.Failed<R> failed && failed.kind() == RedisErrorKind.INTERRUPTED)) {
      // An interrupt (a cancelled stage) is not Redis failing: neither counted nor capping L1.
      meters.l2Unavailable.increment();
      tier.guard().onFallback(); // served by L1 and the loader instead, counted as guard.call counts it
      tier.unreachable();
    }
    return down.get();
  }

  private <R, T> CompletableFuture<T> guarded(boolean blocked, Supplier<? extends CompletionStage<R>> call,
      Function<R, T> read, Supplier<T> down) {
    return guarded(blocked, call, read, down, down);
  }

  /** {@code stage}, failed with a Redis timeout after {@code redisTimeout} by a timer (no thread waits). */
  private <T> CompletableFuture<T> timed(CompletionStage<T> stage) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    if (future.isDone()) {
      return future;
    }
    CompletableFuture<T> timed = new CompletableFuture<>();
    ScheduledFuture<?> timer = SharedScheduler.get().schedule(() -> {
      if (timed.completeExceptionally(new RedisCommandTimeoutException(
          "Redis did not answer within " + timeoutNanos / 1_000_000 + " ms"))) {
        future.cancel(true);
      }
    }, timeoutNanos, TimeUnit.NANOSECONDS);
    future.whenComplete((value, error) -> {
      timer.cancel(false);
      if (error == null) {
        timed.complete(value);
      } else {
        timed.completeExceptionally(error);
      }
    });
    return timed;
  }
}
