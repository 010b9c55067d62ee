package dev.ballast.degradation.internal;

import dev.ballast.redis.RedisErrorKind;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.RedisScript;
import dev.ballast.redis.internal.port.RedisPort;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.Map;

/**
 * The switchboard's narrow port onto Redis: write one entry (a Lua script: set or delete, bump the
 * version, publish, atomically), renew the leases of all this instance's fleet trigger entries in one call
 * of the same script, end the entries whose lease lapsed (another script, broadcasting the
 * same way), read the whole state with its clocks (one script), repair corrupt fields, ask the other instances
 * to re-read, delete its keys found holding another type, and hear broadcasts. Every call goes through the
 * {@link RedisGuard}, so a failure comes back as null, never as an exception.
 *
 * <p>Keys: the state hash {@code <prefix>{<name>}}, the leases of fleet trigger entries {@code
 * <prefix>{<name>}:leases} (field to expiry in Redis time), the clock of each field's last change {@code
 * <prefix>{<name>}:clocks} (see {@link Hlc}; a clock without a value is a tombstone) and the channel {@code
 * <prefix>{<name>}:changes};
 * the hash tag keeps them on one Cluster slot (the channel too, so sharded pub/sub carries it on that
 * slot's shard). Redis is reached through the internal {@link RedisPort}: one code path for one server,
 * Sentinel and Cluster. The scripts broadcast with {@code PUBLISH}, or {@code SPUBLISH} when the port uses
 * sharded pub/sub (a Redis 7 cluster), so that a script's message reaches the port's subscribers. A
 * resubscribe notice from the port (a reconnect, a failover, a slot moving: messages may have been lost)
 * makes the switchboard re-read; so does the port's notice that the subscription's connection dropped
 * (and the switchboard keeps re-reading until the resubscription). Thread-safe: the port is; beyond it this holds only since when Redis has
 * answered (an atomic long).
 */
final class RedisFleet implements AutoCloseable {

  static final String VERSION_FIELD = "_version";
  static final String EPOCH_FIELD = "_epoch";
  private static final RedisScript[] APPLY = variants("apply.lua");
  private static final RedisScript[] PRUNE = variants("prune.lua");
  private static final RedisScript READ = RedisScript.fromResource(RedisFleet.class, "read.lua");
  private static final RedisScript[] RETYPE = variants("retype.lua");

  /** What the port tells the switchboard; called on Lettuce I/O threads, so it must not block. */
  interface Events {
    void onBroadcast(String message);

    /** The subscription is (re)established: anything may have been missed before it. */
    void onSubscribed();

    /** The subscription's connection dropped: broadcasts are missed until {@link #onSubscribed()}. */
    default void onSubscriptionLost() {}
  }

  /**
   * The outcome of a write: the version it produced (or found), the stored value ("" for none), the state's
   * epoch and the field's clock in Redis afterwards (the write's own unless a newer change stands).
   */
  record Written(long version, String stored, String epoch, String clock) {}

  /** A consistent read: the whole state hash (version and epoch included) and the clocks of its fields. */
  record State(Map<String, String> hash, Map<String, String> clocks) {}

  private final byte[][] keys; // the state hash, the leases hash, the clocks hash
  private final byte[][] readKeys; // the state hash, the clocks hash
  private final String channel;
  private final byte[] channelBytes;
  private final RedisGuard guard;
  private final RedisPort port;
  private final RedisPort.Subscription subscription;
  private final RedisScript apply;
  private final RedisScript prune;
  private final RedisScript retype;
  private final Duration timeout;
  /** System.nanoTime() of the first call answered since the last one that failed; NONE until then. */
  private final AtomicLong answeringSince = new AtomicLong(NONE);
  private static final long NONE = Long.MIN_VALUE;
  /** Whether the last call met a key of the wrong type: a hint for {@link #repairTypes}. */
  private volatile boolean wrongType;

  /**
   * Opens a port with {@code opener}, subscribes to the board's channel and waits (at most {@code timeout})
   * for the server to confirm it.
   *
   * @throws RuntimeException if the port cannot connect or the subscription is not confirmed in time
   */
  RedisFleet(Supplier<RedisPort> opener, String prefix, String name, Duration timeout, RedisGuard guard,
      Events events) {
    this.timeout = timeout;
    String hash = prefix + "{" + name + "}";
    this.keys = new byte[][] {utf8(hash), utf8(hash + ":leases"), utf8(hash + ":clocks")};
    this.readKeys = new byte[][] {keys[0], keys[2]};
    this.channel = hash + ":changes";
    this.channelBytes = utf8(channel);
    this.guard = guard;
    this.port = opener.get();
    int variant = port.isShardedPubSub() ? 1 : 0;
    this.apply = APPLY[variant];
    this.prune = PRUNE[variant];
    this.retype = RETYPE[variant];
    // The port tells the first confirmation (followed by the switchboard's own read) from later ones: every
    // later one is a re-subscription after a reconnect, a failover or a slot move, and whatever was published
    // before it is in the hash the switchboard then reads, so re-reading on it leaves no gap.
    RedisPort.Subscription subscribed = null;
    try {
      subscribed = port.subscribe(channelBytes, new RedisPort.Listener() {
        @Override
        public void onMessage(byte[] message) {
          events.onBroadcast(new String(message, StandardCharsets.UTF_8));
        }

        @Override
        public void onResubscribed() {
          events.onSubscribed();
        }

        @Override
        public void onSubscriptionLost() {
          events.onSubscriptionLost();
        }
      });
      // Bounded by the switchboard's Redis timeout, not the client's (Lettuce's default: 60 s).
      Waits.get(subscribed.confirmed().toCompletableFuture(), timeout, "subscribing to " + channel);
    } catch (RuntimeException e) {
      if (subscribed != null) {
        subscribed.close();
      }
      port.close();
      throw e;
    }
    this.subscription = subscribed;
  }

  /**
   * The script from {@code resource}, as written (index 0: {@code PUBLISH}) and broadcasting with
   * {@code SPUBLISH} (index 1, for a port on sharded pub/sub).
   */
  private static RedisScript[] variants(String resource) {
    RedisScript classic = RedisScript.fromResource(RedisFleet.class, resource);
    String sharded = classic.source().replace("redis.call('PUBLISH',", "redis.call('SPUBLISH',");
    if (sharded.equals(classic.source())) {
      throw new IllegalStateException(resource + " publishes nothing with redis.call('PUBLISH', ...)");
    }
    return new RedisScript[] {classic, RedisScript.of(resource + " (sharded)", sharded)};
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[][] utf8(String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = utf8(args[i]);
    }
    return bytes;
  }

  /** A reply element as text (Lua strings come back as bytes). */
  private static String text(Object value) {
    return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
  }

  private static List<String> texts(List<Object> values) {
    if (values == null) {
      return null;
    }
    List<String> out = new ArrayList<>(values.size());
    values.forEach(v -> out.add(text(v)));
    return out;
  }

  /**
   * Writes {@code op} (a set with a lease of {@code leaseMillis} from now in Redis time if positive, or a
   * delete); null when Redis did not answer. Setting an unchanged entry with the same clock only renews its
   * lease: no new version, no broadcast. A write older (by clock) than the field's stored change is refused
   * by the script: the reply's clock is then the newer one.
   */
  Written write(Op op, long leaseMillis) {
    List<Object> reply = op.entry() == null
        ? eval(channel, "del", op.field(), op.clock())
        : eval(channel, "set", op.field(), EntryCodec.encodeTail(op.entry()), Long.toString(leaseMillis), op.clock());
    return reply == null || reply.size() != 4 ? null : written(reply, 0);
  }

  /**
   * Sets each of {@code ops} with a lease of {@code leaseMillis} from now in Redis time, in one script call:
   * unchanged entries only get their lease renewed, missing or changed ones are written and broadcast.
   * Returns what each set produced, in order; null when Redis did not answer.
   */
  List<Written> renew(List<Op> ops, long leaseMillis) {
    List<String> args = new ArrayList<>(3 + 3 * ops.size());
    args.add(channel);
    args.add("renew");
    args.add(Long.toString(leaseMillis));
    for (Op op : ops) {
      args.add(op.field());
      args.add(EntryCodec.encodeTail(op.entry()));
      args.add(op.clock());
    }
    List<Object> reply = eval(args.toArray(String[]::new));
    if (reply == null || reply.size() != 4 * ops.size()) {
      return null;
    }
    List<Written> written = new ArrayList<>(ops.size());
    for (int i = 0; i < reply.size(); i += 4) {
      written.add(written(reply, i));
    }
    return written;
  }

  /**
   * Deletes {@code field} if it still holds the corrupt value {@code corrupt} (for {@code _version}: starts a
   * new epoch), broadcasting it like any change; null when Redis did not answer.
   */
  Written repair(String field, String corrupt) {
    List<Object> reply = eval(channel, "repair", field, corrupt);
    return reply == null || reply.size() != 4 ? null : written(reply, 0);
  }

  /**
   * Asks every other instance to read the whole state again (and write back what Redis lost); false if not
   * sent.
   */
  boolean requestSync(String instanceId) {
    return guarded(() -> port.publish(channelBytes, utf8("|0|sync|" + instanceId + "||"))) != null;
  }

  /**
   * Gives {@code auto:} entries found without a lease one of {@code leaseMillis} and, if {@code delete},
   * deletes (and broadcasts the deletion of) every entry whose lease lapsed; returns the fields deleted,
   * null when Redis did not answer.
   */
  List<String> prune(long leaseMillis, boolean delete) {
    return texts(guarded(() -> port.<List<Object>>eval(prune, ScriptOutputType.MULTI, keys,
        utf8(channel, Long.toString(leaseMillis), delete ? "1" : "0"))));
  }

  /**
   * Whether the last call failed on a key of the wrong type ({@code WRONGTYPE}): one of the switchboard's
   * keys was overwritten with another type, and {@link #repairTypes} deletes it. A hint only (calls on
   * other threads may fail meanwhile): the repair itself checks each key's type.
   */
  boolean metWrongType() {
    return wrongType;
  }

  /**
   * Deletes those of the switchboard's keys that hold another type than a hash, and if any, asks every
   * instance to re-read (and write back what it knows); returns the keys deleted, null when Redis did not
   * answer.
   */
  List<String> repairTypes() {
    return texts(guarded(() -> port.<List<Object>>eval(retype, ScriptOutputType.MULTI, keys, utf8(channel))));
  }

  /** Whether Redis has answered every call for at least the last {@code nanos}. */
  boolean answeredFor(long nanos) {
    long since = answeringSince.get();
    return since != NONE && System.nanoTime() - since >= nanos;
  }

  private List<Object> eval(String... argv) {
    return guarded(() -> port.<List<Object>>eval(apply, ScriptOutputType.MULTI, keys, utf8(argv)));
  }

  private static Written written(List<Object> reply, int at) {
    return new Written(((Number) reply.get(at)).longValue(), text(reply.get(at + 1)),
        text(reply.get(at + 2)), text(reply.get(at + 3)));
  }

  /** The whole hash, version and epoch included, and the clocks; null when Redis did not answer. */
  State readAll() {
    List<Object> reply = guarded(() -> port.<List<Object>>eval(READ, ScriptOutputType.MULTI, readKeys));
    if (reply == null || reply.size() != 2) {
      return null;
    }
    return new State(pairs(reply.get(0)), pairs(reply.get(1)));
  }

  private static Map<String, String> pairs(Object flat) {
    Map<String, String> map = new LinkedHashMap<>();
    if (flat instanceof List<?> list) {
      for (int i = 0; i + 1 < list.size(); i += 2) {
        map.put(text(list.get(i)), text(list.get(i + 1)));
      }
    }
    return map;
  }

  /**
   * Runs one call through the guard, waiting at most {@code timeout} whatever the application's client is
   * configured with (Lettuce's default is 60 s, and a disconnected client queues commands): an operator's
   * flip during an outage must not hang. A call that times out is cancelled, so that a client queueing
   * commands while disconnected does not replay it later, out of order with the pending writes.
   */
  private <T> T guarded(Supplier<CompletionStage<T>> call) {
    if (Thread.currentThread().isInterrupted()) {
      guard.onFallback(); // an interrupted caller does not ask Redis at all: the wait would end at once
      return null;
    }
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
      wrongType = false;
      answeringSince.compareAndSet(NONE, System.nanoTime());
      return value;
    } catch (ExecutionException e) {
      failed(future, start, e.getCause());
    } catch (InterruptedException | TimeoutException | RuntimeException e) {
      failed(future, start, e);
    }
    return null;
  }

  /**
   * One classification for every failure ({@link RedisGuard#onFailure}): an outage feeds the breaker and
   * restarts the "answered since" clock; a data error (Redis answered: a bad value, a refused write) counts
   * for this call only; an interrupt is no Redis failure at all (the flag is kept, nothing is counted).
   */
  private void failed(CompletableFuture<?> future, long start, Throwable error) {
    if (future != null) {
      future.cancel(true);
    }
    RedisErrorKind kind = guard.onFailure(start, error);
    wrongType = kind == RedisErrorKind.WRONG_TYPE;
    if (kind.isOutage()) {
      answeringSince.set(NONE);
    }
    guard.onFallback();
  }

  /**
   * Unsubscribes and closes the port's connections. Lettuce closes them in the background; nothing here
   * waits for Redis.
   */
  @Override
  public void close() {
    try {
      subscription.close();
    } finally {
      port.close();
    }
  }
}
