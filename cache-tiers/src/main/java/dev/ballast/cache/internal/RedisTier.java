package dev.ballast.cache.internal;

import dev.ballast.redis.RedisErrorKind;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.RedisReply;
import dev.ballast.redis.RedisScript;
import dev.ballast.core.internal.Futures;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cache's narrow port to Redis: the connection, the write path's commands (each through the
 * {@link RedisGuard}, never throwing: a write says what became of it, an {@link Outcome}; each waited for
 * at most the configured timeout) and the commands {@link RedisReads} builds the read path's replies on.
 * Only the heartbeat and the replay of deferred writes ask Redis directly, so that they learn first that
 * it is back. Reads of a key are refused while the {@link Link} says a deferred write of it waits. Owns one connection
 * opened on the application's client ({@link RedisConnector}: one server, Sentinel or Cluster; on a cluster
 * every command goes to its key's slot and the multi-key ones are split per slot by Lettuce).
 *
 * <p>Thread-safe: Lettuce connections are. Its own state: the connection (volatile, set once by whichever
 * thread wins the {@code connecting} CAS) and the Redis clock offset, one volatile long written by
 * whichever reply came last (any recent reading is as good as another).
 */
final class RedisTier implements AutoCloseable {

  private static final RedisScript WRITE = RedisScript.fromResource(RedisTier.class, "write.lua");
  private static final byte[] NO_TOKEN = new byte[0];

  /**
   * What a write of the write path (put, delete, publish) came to: Redis applied it, Redis answered and
   * refused it (an error reply such as {@code OOM}: nothing changed), or Redis could not be asked or did
   * not answer in time (so it may or may not be applied, now or later).
   */
  enum Outcome { APPLIED, REFUSED, UNREACHED }

  /**
   * How the cache's view of Redis reaches this port: reads of a key are refused while a write of it Redis
   * did not take waits to be replayed (so this instance never reads a value its own write replaced), and a call
   * that could not reach Redis is reported (so L1 is capped as for a dropped subscription).
   */
  interface Link {
    /** Whether a read of {@code redisKey} must not ask Redis now. */
    boolean readsBlocked(byte[] redisKey);

    void unreachable();
  }

  private final RedisConnector connector;
  private final RedisGuard guard;
  private final Link link;
  private final long timeoutNanos;
  /** Null until a connection succeeded: Lettuce reconnects an open connection by itself, not a first one. */
  private volatile RedisConnector.Connection connection;
  /** {@code connection}'s commands, read on every call: volatile, written once with it. */
  private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile boolean closed;
  private volatile long offsetMs;

  /** Does not connect: {@link #connect()} does, when the cache starts and later until it succeeds. */
  RedisTier(RedisConnector connector, RedisGuard guard, Link link, long timeoutNanos) {
    this.connector = connector;
    this.guard = guard;
    this.link = link;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Opens the connection if there is none; returns whether there is one. One thread at a time tries;
   * the others return at once. A failure is left to the guard to report, on the calls that find no
   * connection.
   */
  boolean connect() {
    if (connection != null) {
      return true;
    }
    if (closed || !connecting.compareAndSet(false, true)) {
      return false;
    }
    try {
      RedisConnector.Connection opened = connector.connect();
      commands = opened.commands();
      connection = opened;
      // close() writes closed, then reads connection; this writes connection, then reads closed. Both are
      // volatile, so at least one side sees the other and the connection cannot leak (closing twice is fine).
      if (closed) {
        opened.connection().close();
        return false;
      }
      guard.call(() -> {
        List<byte[]> time = await(opened.commands().time());
        learn(Long.parseLong(ascii(time.get(0))) * 1000 + Long.parseLong(ascii(time.get(1))) / 1000);
        return null;
      }, () -> null);
      return true;
    } catch (RuntimeException e) {
      return false;
    } finally {
      connecting.set(false);
    }
  }

  boolean isConnected() {
    return connection != null;
  }

  /** The connection's commands, for the read path's port ({@link RedisReads}). */
  RedisClusterAsyncCommands<byte[], byte[]> commands() {
    return async();
  }

  /** Whether a read of {@code redisKey} must not ask Redis now (a write of it waits to be replayed). */
  boolean readsBlocked(byte[] redisKey) {
    return link.readsBlocked(redisKey);
  }

  /** Reports a call that could not reach Redis (L1 is then capped as for a dropped subscription). */
  void unreachable() {
    link.unreachable();
  }

  private RedisClusterAsyncCommands<byte[], byte[]> async() {
    RedisClusterAsyncCommands<byte[], byte[]> current = commands;
    if (current == null) {
      throw new RedisConnectionException("Redis has not been reachable since this cache was built");
    }
    return current;
  }

  RedisGuard guard() {
    return guard;
  }

  /** This process's estimate of Redis's clock in epoch milliseconds. */
  long redisNowMs() {
    return System.currentTimeMillis() + offsetMs;
  }

  void learn(long redisNowMs) {
    offsetMs = redisNowMs - System.currentTimeMillis();
  }

  CompletionStage<List<Object>> writeAsync(byte[] valueKey, byte[] leaseKey, byte[] token, long softMs, long hardMs,
      long loadMs, boolean absent, byte[] payload) {
    return writeAsync(valueKey, leaseKey, token, softMs, hardMs, loadMs, absent, payload, NO_TOKEN);
  }

  private CompletionStage<List<Object>> writeAsync(byte[] valueKey, byte[] leaseKey, byte[] token, long softMs,
      long hardMs, long loadMs, boolean absent, byte[] payload, byte[] deadline) {
    return WRITE.evalAsync(async(), ScriptOutputType.MULTI, new byte[][] {valueKey, leaseKey},
        token == null ? NO_TOKEN : token, ascii(softMs), ascii(hardMs), ascii(loadMs), ascii(absent ? "N" : "V"),
        payload, deadline);
  }

  Boolean writeReply(List<Object> reply) {
    learn((Long) reply.get(1));
    return (Long) reply.get(0) == 1L;
  }

  /**
   * A put: writes the entry whatever lease is current, and deletes the lease (so a load that began before
   * it cannot overwrite it).
   */
  Outcome put(byte[] valueKey, byte[] leaseKey, long softMs, long hardMs, byte[] payload) {
    // The deadline: when this caller stops waiting, in Redis's clock as last learnt. A put that reaches Redis
    // later (a paused server, or a command Lettuce's cluster connection re-sends once a dead node's address
    // answers again) is dropped by the script, so it cannot overwrite a newer value after this caller
    // reported it as not taken and its delete was replayed.
    byte[] deadline = ascii(redisNowMs() + timeoutNanos / 1_000_000);
    return attempt(() -> {
      List<Object> reply = await(writeAsync(valueKey, leaseKey, null, softMs, hardMs, 0, false, payload, deadline));
      learn((Long) reply.get(1));
      if ((Long) reply.get(0) == 2L) {
        throw new RedisCommandTimeoutException("the put reached Redis after its " + timeoutNanos / 1_000_000
            + " ms deadline; dropped there");
      }
      return Boolean.TRUE;
    });
  }

  /** Deletes a value and its lease in one command (same hash tag). */
  Outcome delete(byte[] valueKey, byte[] leaseKey) {
    return attempt(() -> await(async().del(valueKey, leaseKey)));
  }

  /**
   * Deletes many keys' values and leases: one {@code DEL} per key (each key's pair shares a slot, two keys
   * need not), all sent before any reply is read. {@link Outcome#APPLIED} only if every one was.
   */
  Outcome deleteEach(List<byte[][]> pairs) {
    return direct(() -> {
      RedisClusterAsyncCommands<byte[], byte[]> commands = async();
      List<RedisFuture<Long>> replies = new ArrayList<>(pairs.size());
      for (byte[][] pair : pairs) {
        replies.add(commands.del(pair));
      }
      for (RedisFuture<Long> reply : replies) {
        await(reply);
      }
      return null;
    });
  }

  /** Deletes every key matching a {@code SCAN} pattern, in batches. */
  Outcome deleteMatching(byte[] pattern) {
    return attempt(() -> deleteAllMatching(pattern));
  }

  /** {@link #deleteMatching}, for the replay: asked directly, as {@link #heartbeat} is. */
  Outcome replayDeleteMatching(byte[] pattern) {
    return direct(() -> deleteAllMatching(pattern));
  }

  private Object deleteAllMatching(byte[] pattern) {
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<byte[]> page = await(async().scan(cursor, ScanArgs.Builder.matches(pattern).limit(500)));
      if (!page.getKeys().isEmpty()) {
        await(async().unlink(page.getKeys().toArray(new byte[0][])));
      }
      cursor = page;
    } while (!cursor.isFinished());
    return null;
  }

  /**
   * Publishes ({@code send}: the bus's port, classic or sharded) without blocking the caller; the stage completes with whether Redis took the message
   * (within {@code redisTimeout}), never exceptionally. {@code direct}: for the replay, not through the
   * breaker (as {@link #heartbeat}).
   */
  CompletionStage<Boolean> publish(Supplier<? extends CompletionStage<Long>> send, boolean direct) {
    Supplier<CompletionStage<Boolean>> publish = () -> send.get().toCompletableFuture()
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).thenApply(receivers -> Boolean.TRUE);
    if (!direct) {
      return guard.callAsync(publish, () -> Boolean.FALSE);
    }
    try {
      return publish.get().exceptionally(e -> Boolean.FALSE);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Boolean.FALSE);
    }
  }

  /**
   * Whether Redis answers now (its {@code TIME}, which also refreshes the clock offset). Asked directly,
   * not through the breaker: the heartbeat must learn that Redis is back before the breaker's next probe,
   * so the writes it did not take are replayed before callers read it again.
   */
  boolean heartbeat() {
    if (connection == null) {
      return false;
    }
    try {
      List<byte[]> time = await(async().time());
      learn(Long.parseLong(ascii(time.get(0))) * 1000 + Long.parseLong(ascii(time.get(1))) / 1000);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Runs a write through the guard and says what became of it, by the shared classification: a data
   * error is Redis refusing this one call (it answered: nothing changed); an outage, an open breaker or
   * an interrupt leave it unknown whether Redis applied it.
   */
  private Outcome attempt(Supplier<Object> redisCall) {
    return outcome(guard.attempt(redisCall));
  }

  private Outcome outcome(RedisReply<?> reply) {
    if (reply.isOk()) {
      return Outcome.APPLIED;
    }
    RedisErrorKind kind = reply instanceof RedisReply.Failed<?> failed ? failed.kind() : null;
    if (kind != null && !kind.isOutage() && kind != RedisErrorKind.INTERRUPTED) {
      return Outcome.REFUSED;
    }
    if (kind != RedisErrorKind.INTERRUPTED) {
      link.unreachable();
    }
    return Outcome.UNREACHED;
  }

  /** A replay's write, asked directly (not through the breaker): classified as {@link #attempt} does. */
  private Outcome direct(Supplier<Object> redisCall) {
    try {
      redisCall.get();
      return Outcome.APPLIED;
    } catch (RuntimeException e) {
      RedisErrorKind kind = RedisErrorKind.classify(e);
      return kind.isOutage() || kind == RedisErrorKind.INTERRUPTED ? Outcome.UNREACHED : Outcome.REFUSED;
    }
  }

  <T> T await(RedisFuture<T> future) {
    return LettuceFutures.awaitOrCancel(future, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  <T> T await(CompletionStage<T> stage) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    try {
      return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RedisCommandTimeoutException("Redis did not answer within " + timeoutNanos / 1_000_000 + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisCommandInterruptedException(e);
    } catch (ExecutionException e) {
      Throwable cause = Futures.unwrap(e);
      throw cause instanceof RuntimeException runtime ? runtime : new RedisException(cause);
    }
  }

  static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static String ascii(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    closed = true;
    guard.close();
    RedisConnector.Connection current = connection;
    if (current != null) {
      current.connection().close();
    }
  }
}
