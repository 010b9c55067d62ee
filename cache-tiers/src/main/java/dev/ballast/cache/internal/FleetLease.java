package dev.ballast.cache.internal;

import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.SharedScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The fleet-wide load lease of a key ({@code lease.lua}): take it, or wait for whoever holds it, take it
 * over when it lapses, release it. For one key or many at once: the scripts of all keys are sent
 * together (one round trip), and the keys still held by others are asked again together.
 *
 * <p>Waiting holds no thread: each round is sent, its replies handled when they come, and the next
 * round is started by a timer (jittered backoff, 1 ms doubling to 50 ms, never past the holder's
 * remaining lease, which the script caps at our {@code leaseTtl}). A wait ends with the value another
 * instance filled, the lease (taken over), or after {@code maxLeaseWait} a load for this instance only.
 * Stateless beyond immutable collaborators; each {@link #take} owns its own round state.
 */
final class FleetLease<V> {

  /** How a key's lease wait ended. */
  sealed interface Outcome<V> {
    /** Another instance filled the key meanwhile: its entry (already decoded). */
    record Filled<V>(Decoded<V> entry) implements Outcome<V> {}

    /** Ours: load, then fill with {@code token} (the fill writes only while it is still the lease). */
    record Leased<V>(byte[] leaseKey, byte[] token) implements Outcome<V> {}

    /** Held by another instance and we do not wait (a refresh, a warm-up): nothing to do. */
    record Held<V>() implements Outcome<V> {}

    /** Redis down or the wait over: load for this instance only, writing nothing to Redis. */
    record Local<V>() implements Outcome<V> {}
  }

  private static final long MIN_POLL_NANOS = 200_000;

  private final RedisReads<V> reads;
  private final KeySpace keys;
  private final EntryReader<V> reader;
  private final CacheMeters meters;
  private final Ticker ticker;
  private final long leaseMs;
  private final long maxWaitNanos;
  private final Backoff pollBackoff = Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(50))
      .withJitter(Jitter.FULL);

  FleetLease(RedisReads<V> reads, KeySpace keys, EntryReader<V> reader, CacheMeters meters, Ticker ticker,
      long leaseMs, long maxWaitNanos) {
    this.reads = reads;
    this.keys = keys;
    this.reader = reader;
    this.meters = meters;
    this.ticker = ticker;
    this.leaseMs = leaseMs;
    this.maxWaitNanos = maxWaitNanos;
  }

  /**
   * Takes the lease of each key (encoded), or waits for it ({@code wait}; else a held key is
   * {@link Outcome.Held}). {@code unreadableMs[i]}: the write time of an entry this version cannot read
   * under key i (treated as absent), or -1.
   */
  CompletableFuture<List<Outcome<V>>> take(List<byte[]> encodedKeys, long[] unreadableMs, boolean wait) {
    Round round = new Round(encodedKeys, unreadableMs, wait);
    round.send();
    return round.done;
  }

  /** A refresh's lease: taken unless a value written after {@code seenMs} is there (then Filled). */
  CompletableFuture<Outcome<V>> takeForRefresh(byte[] encodedKey, long seenMs) {
    byte[] leaseKey = keys.lease(encodedKey);
    byte[] token = KeySpace.token();
    return reads.lease(keys.value(encodedKey), leaseKey, token, leaseMs, RedisReads.Mode.REFRESH, seenMs)
        .thenApply(reply -> {
          if (reply instanceof RedisReads.LeaseReply.Acquired) {
            return new Outcome.Leased<>(leaseKey, token);
          }
          if (reply instanceof RedisReads.LeaseReply.Value value) {
            Decoded<V> entry = reader.decode(value.bytes());
            return entry != null ? new Outcome.Filled<>(entry) : new Outcome.Leased<>(leaseKey, token);
          }
          return reply instanceof RedisReads.LeaseReply.Down ? new Outcome.Local<>() : new Outcome.Held<>();
        });
  }

  /** Gives a lease back if it is still ours; completes when Redis answered or could not be asked. */
  CompletableFuture<Long> release(byte[] leaseKey, byte[] token) {
    return reads.release(leaseKey, token);
  }

  /** One {@link #take}: the keys still pending, asked again round after round until each has an outcome. */
  private final class Round {
    final List<byte[]> encodedKeys;
    final long[] unreadableMs;
    final boolean wait;
    final List<Outcome<V>> outcomes;
    final boolean[] waited;
    final long deadline;
    final CompletableFuture<List<Outcome<V>>> done = new CompletableFuture<>();
    int attempt;
    long previousDelay;

    Round(List<byte[]> encodedKeys, long[] unreadableMs, boolean wait) {
      this.encodedKeys = encodedKeys;
      this.unreadableMs = unreadableMs.clone();
      this.wait = wait;
      this.outcomes = new ArrayList<>(encodedKeys.size());
      for (int i = 0; i < encodedKeys.size(); i++) {
        outcomes.add(null);
      }
      this.waited = new boolean[encodedKeys.size()];
      this.deadline = System.nanoTime() + maxWaitNanos;
    }

    /** Sends the script for every key without an outcome; handles the replies when all are in. */
    void send() {
      attempt++;
      List<Integer> pending = new ArrayList<>();
      List<byte[]> tokens = new ArrayList<>();
      List<CompletableFuture<RedisReads.LeaseReply>> replies = new ArrayList<>();
      for (int i = 0; i < encodedKeys.size(); i++) {
        if (outcomes.get(i) == null) {
          byte[] encodedKey = encodedKeys.get(i);
          byte[] token = KeySpace.token();
          pending.add(i);
          tokens.add(token);
          replies.add(reads.lease(keys.value(encodedKey), keys.lease(encodedKey), token, leaseMs,
              RedisReads.Mode.MISS, unreadableMs[i]));
        }
      }
      CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, error) -> {
        try {
          handle(pending, tokens, replies);
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      });
    }

    private void handle(List<Integer> pending, List<byte[]> tokens,
        List<CompletableFuture<RedisReads.LeaseReply>> replies) {
      long shortestHold = Long.MAX_VALUE;
      boolean again = false;
      long now = System.nanoTime(); // real time: a wait is real, whatever clock the cache's expiry reads
      boolean over = now - deadline >= 0;
      for (int n = 0; n < pending.size(); n++) {
        int i = pending.get(n);
        // Never waits: allOf completed them all, and a lease reply is never a failed stage.
        RedisReads.LeaseReply reply = replies.get(n).getNow(null);
        if (reply == null) {
          throw new IllegalStateException("lease reply " + n + " not complete after allOf");
        }
        byte[] encodedKey = encodedKeys.get(i);
        if (reply instanceof RedisReads.LeaseReply.Down) {
          outcomes.set(i, new Outcome.Local<>());
        } else if (reply instanceof RedisReads.LeaseReply.Acquired) {
          if (waited[i]) {
            meters.leaseTakeovers.increment();
          }
          outcomes.set(i, new Outcome.Leased<>(keys.lease(encodedKey), tokens.get(n)));
        } else if (reply instanceof RedisReads.LeaseReply.Value value) {
          Decoded<V> entry = reader.decode(value.bytes());
          if (entry != null) {
            outcomes.set(i, new Outcome.Filled<>(entry));
          } else {
            // Fresh by its header, unreadable here (another value format): a miss like any other, through
            // the lease, so that one instance loads and its fill replaces the entry.
            long writeMs = Header.writeMs(value.bytes());
            if (writeMs < 0 || writeMs == unreadableMs[i] || over) {
              outcomes.set(i, new Outcome.Local<>());
            } else {
              unreadableMs[i] = writeMs;
              again = true;
              shortestHold = 0;
            }
          }
        } else if (reply instanceof RedisReads.LeaseReply.Held held) {
          if (!wait) {
            outcomes.set(i, new Outcome.Held<>());
            continue;
          }
          if (!waited[i]) {
            waited[i] = true;
            meters.leaseWaits.increment();
          }
          if (over) {
            meters.leaseWaitTimeouts.increment();
            outcomes.set(i, new Outcome.Local<>());
          } else {
            again = true;
            shortestHold = Math.min(shortestHold, Math.max(held.pttlMs(), 1) * 1_000_000);
          }
        }
      }
      if (!again) {
        done.complete(outcomes);
        return;
      }
      long delay = pollBackoff.delayNanos(Math.min(attempt, 20), previousDelay);
      delay = Math.min(Math.max(delay, MIN_POLL_NANOS), shortestHold);
      delay = Math.max(0, Math.min(delay, deadline - now));
      previousDelay = delay;
      try {
        SharedScheduler.get().schedule(this::send, delay, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        done.completeExceptionally(e);
      }
    }
  }
}
