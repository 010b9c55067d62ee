package dev.ballast.degradation.internal;

import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.RedisScript;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.Map;

/**
 * The switchboard's narrow port onto Redis: write one entry (a Lua script: set or delete, bump the
 * version, publish, atomically), renew the leases of all this instance's fleet trigger entries in one call
 * of the same script, end the entries whose lease lapsed (another script, broadcasting the
 * same way), read the whole state ({@code HGETALL}), and hear broadcasts. Every call goes through the
 * {@link RedisGuard}, so a failure comes back as null, never as an exception.
 *
 * <p>Keys: the state hash {@code <prefix>{<name>}}, the leases of fleet trigger entries {@code
 * <prefix>{<name>}:leases} (field to expiry in Redis time) and the channel {@code <prefix>{<name>}:changes};
 * the hash tag keeps them on one Cluster slot. Thread-safe: Lettuce connections are; beyond them this holds
 * only since when Redis has answered (an atomic long).
 */
final class RedisFleet implements AutoCloseable {

  static final String VERSION_FIELD = "_version";
  static final String EPOCH_FIELD = "_epoch";
  private static final RedisScript APPLY = RedisScript.fromResource(RedisFleet.class, "apply.lua");
  private static final RedisScript PRUNE = RedisScript.fromResource(RedisFleet.class, "prune.lua");

  /** What the port tells the switchboard; called on Lettuce I/O threads, so it must not block. */
  interface Events {
    void onBroadcast(String message);

    /** The subscription is (re)established: anything may have been missed before it. */
    void onSubscribed();
  }

  /**
   * The outcome of a write: the version it produced (or found), the stored value ("" for a delete) and the
   * state's epoch.
   */
  record Written(long version, String stored, String epoch) {}

  private final String[] keys; // the state hash, the leases hash
  private final String channel;
  private final RedisGuard guard;
  private final StatefulRedisConnection<String, String> commands;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final Duration timeout;
  private final AtomicBoolean initialSubscription = new AtomicBoolean(true);
  /** System.nanoTime() of the first call answered since the last one that failed; NONE until then. */
  private final AtomicLong answeringSince = new AtomicLong(NONE);
  private static final long NONE = Long.MIN_VALUE;

  RedisFleet(RedisClient client, String prefix, String name, Duration timeout, RedisGuard guard, Events events) {
    this.timeout = timeout;
    this.keys = new String[] {prefix + "{" + name + "}", prefix + "{" + name + "}:leases"};
    this.channel = prefix + "{" + name + "}:changes";
    this.guard = guard;
    this.commands = client.connect();
    try {
      this.pubSub = client.connectPubSub();
    } catch (RuntimeException e) {
      commands.close();
      throw e;
    }
    pubSub.addListener(new RedisPubSubAdapter<String, String>() {
      @Override
      public void message(String from, String message) {
        if (channel.equals(from)) {
          events.onBroadcast(message);
        }
      }

      @Override
      public void subscribed(String to, long count) {
        // The first confirmation is the initial subscription, which the switchboard follows with a read of
        // its own; every later one is a re-subscription after a reconnect.
        if (channel.equals(to) && !initialSubscription.compareAndSet(true, false)) {
          events.onSubscribed();
        }
      }
    });
    // Re-reading on subscribed (not on connected) leaves no gap: Lettuce re-subscribes after each reconnect,
    // and whatever was published before that confirmation is in the hash we then read.
    try {
      pubSub.sync().subscribe(channel);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Sets {@code field} to {@code tail} (Redis prepends its time), with a lease of {@code leaseMillis} from
   * now in Redis time if positive; null when Redis did not answer. Setting an unchanged entry only renews
   * its lease: no new version, no broadcast.
   */
  Written set(String field, String tail, long leaseMillis) {
    return run("set", field, tail, Long.toString(leaseMillis));
  }

  /**
   * Sets each of {@code tails} (field to value tail) with a lease of {@code leaseMillis} from now in Redis
   * time, in one script call: unchanged entries only get their lease renewed, missing or changed ones are
   * written and broadcast. Returns what each set produced, in {@code tails}' order; null when Redis did not
   * answer.
   */
  List<Written> renew(Map<String, String> tails, long leaseMillis) {
    List<String> args = new ArrayList<>(3 + 2 * tails.size());
    args.add(channel);
    args.add("renew");
    args.add(Long.toString(leaseMillis));
    tails.forEach((field, tail) -> {
      args.add(field);
      args.add(tail);
    });
    String[] argv = args.toArray(String[]::new);
    List<Object> reply = guarded(() -> APPLY.evalAsync(commands.async(), ScriptOutputType.MULTI, keys, argv));
    if (reply == null || reply.size() != 3 * tails.size()) {
      return null;
    }
    List<Written> written = new ArrayList<>(tails.size());
    for (int i = 0; i < reply.size(); i += 3) {
      written.add(written(reply, i));
    }
    return written;
  }

  /** Deletes {@code field} and its lease; null when Redis did not answer. */
  Written delete(String field) {
    return run("del", field, "", "0");
  }

  /**
   * Gives {@code auto:} entries found without a lease one of {@code leaseMillis} and, if {@code delete},
   * deletes (and broadcasts the deletion of) every entry whose lease lapsed; returns the fields deleted,
   * null when Redis did not answer.
   */
  List<String> prune(long leaseMillis, boolean delete) {
    return guarded(() -> PRUNE.evalAsync(commands.async(), ScriptOutputType.MULTI, keys, channel,
        Long.toString(leaseMillis), delete ? "1" : "0"));
  }

  /** Whether Redis has answered every call for at least the last {@code nanos}. */
  boolean answeredFor(long nanos) {
    long since = answeringSince.get();
    return since != NONE && System.nanoTime() - since >= nanos;
  }

  private Written run(String op, String field, String tail, String lease) {
    List<Object> reply = guarded(() -> APPLY.evalAsync(commands.async(), ScriptOutputType.MULTI, keys, channel, op,
        field, tail, lease));
    if (reply == null || reply.size() != 3) {
      return null;
    }
    return written(reply, 0);
  }

  private static Written written(List<Object> reply, int at) {
    return new Written(((Number) reply.get(at)).longValue(), String.valueOf(reply.get(at + 1)),
        String.valueOf(reply.get(at + 2)));
  }

  /** The whole hash, version and epoch included; null when Redis did not answer. */
  Map<String, String> readAll() {
    return guarded(() -> commands.async().hgetall(keys[0]));
  }

  /**
   * Runs one call through the guard, waiting at most {@code timeout} whatever the application's client is
   * configured with (Lettuce's default is 60 s, and a disconnected client queues commands): an operator's
   * flip during an outage must not hang. A call that times out is cancelled, so that a client queueing
   * commands while disconnected does not replay it later, out of order with the pending writes.
   */
  private <T> T guarded(Supplier<CompletionStage<T>> call) {
    if (!guard.tryAcquire()) {
      answeringSince.set(NONE);
      guard.onFallback();
      return null;
    }
    long start = System.nanoTime();
    CompletableFuture<T> future = null;
    try {
      future = call.get().toCompletableFuture();
      T value = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      guard.onSuccess(start);
      answeringSince.compareAndSet(NONE, System.nanoTime());
      return value;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed(future, start, e);
    } catch (ExecutionException e) {
      failed(future, start, e.getCause());
    } catch (TimeoutException | RuntimeException e) {
      failed(future, start, e);
    }
    return null;
  }

  private void failed(CompletableFuture<?> future, long start, Throwable error) {
    answeringSince.set(NONE);
    if (future != null) {
      future.cancel(true);
    }
    guard.onFailure(start, error);
    guard.onFallback();
  }

  @Override
  public void close() {
    try {
      pubSub.close();
    } finally {
      commands.close();
    }
  }
}
