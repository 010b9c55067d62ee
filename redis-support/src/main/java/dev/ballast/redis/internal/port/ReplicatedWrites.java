package dev.ballast.redis.internal.port;

import dev.ballast.redis.RedisScript;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link RedisPort#evalAndWait}: a script, then {@code WAIT}, on connections of their own, for both
 * topologies.
 *
 * <p>Why not the port's data connection: Redis reads no further command from a client blocked in {@code
 * WAIT}, so on the shared connection every other command of the port (a queue's claims, acks, visibility
 * extensions, stats) waited behind a lagging replica, and concurrent {@code WAIT}s queued one behind
 * another (the k-th up to k replica timeouts). Here each call leases a <em>lane</em> for itself: a
 * connection to one server (standalone, or the master a Sentinel URI names), or on a cluster a cluster
 * connection of its own whose per-master connections it uses directly (opened once per master and kept).
 * The script and its {@code WAIT} go on the same connection, since {@code WAIT} counts that client's writes.
 * A {@code WAIT} now delays only its own caller.
 *
 * <p>Bounds: at most {@link #MAX_LANES} lanes, opened on demand in the caller's thread (a connect, bounded
 * by the client's connect timeout) and kept until {@link #close()}; a caller that finds all of them busy
 * waits for the next one released, first come first served (so beyond that many concurrent replicated
 * writes they do wait in rounds). A lane whose call failed is kept too: Lettuce reconnects it.
 *
 * <p>A dropped connection counts as no replica: Lettuce re-sends a command in flight after a reconnect, and
 * after a Sentinel failover it reaches the promoted master, whose replicas would answer a {@code WAIT} for
 * a write that died with the old master. So a call during which its connection dropped (between sending
 * the script and reading {@code WAIT}'s reply) reports 0 replicas, whatever {@code WAIT} said.
 *
 * <p>Design note: {@code idle}, {@code waiting}, {@code lanes}, {@code count} and {@code closed} are
 * guarded by {@code this}; a lease is handed from a releasing thread (a Lettuce event-loop thread) to a waiter outside the
 * lock. A lane is used by one call at a time.
 */
final class ReplicatedWrites implements AutoCloseable {

  /** Lanes per port: concurrent replicated writes beyond this wait for one to be released. */
  static final int MAX_LANES = 16;

  private final Supplier<Lane> opener;
  private final Deque<Lane> idle = new ArrayDeque<>();
  private final Deque<CompletableFuture<Lane>> waiting = new ArrayDeque<>();
  private final List<Lane> lanes = new ArrayList<>();
  /** Lanes open or being opened (at most {@link #MAX_LANES}). */
  private int count;
  private boolean closed;

  private ReplicatedWrites(Supplier<Lane> opener) {
    this.opener = opener;
  }

  /** Lanes of one connection each, opened by {@code connect} (one server, or a Sentinel's master). */
  static ReplicatedWrites standalone(Supplier<StatefulRedisConnection<byte[], byte[]>> connect) {
    return new ReplicatedWrites(() -> {
      StatefulRedisConnection<byte[], byte[]> connection = connect.get();
      return new Lane(connection, key -> CompletableFuture.completedFuture(connection));
    });
  }

  /**
   * Lanes of one cluster connection each, opened by {@code connect}; a call goes to the master of its first
   * key's slot directly (not through redirects: a redirected script would run on another connection than
   * its {@code WAIT}). A stale topology makes the script fail with {@code MOVED}; the client's topology
   * refresh fixes the next call.
   */
  static ReplicatedWrites cluster(Supplier<StatefulRedisClusterConnection<byte[], byte[]>> connect) {
    return new ReplicatedWrites(() -> {
      StatefulRedisClusterConnection<byte[], byte[]> connection = connect.get();
      return new Lane(connection, key -> {
        int slot = SlotHash.getSlot(key);
        RedisClusterNode master = connection.getPartitions().getPartitionBySlot(slot);
        if (master == null) {
          return CompletableFuture.failedFuture(new RedisException("no known master serves slot " + slot));
        }
        return connection.getConnectionAsync(master.getUri().getHost(), master.getUri().getPort());
      });
    });
  }

  /**
   * See {@link RedisPort#evalAndWait}. Cancelling the result (a caller that stopped waiting) releases the
   * caller only: a call still waiting for a lane is dropped, one under way goes on until Redis answers, the
   * connection drops or Lettuce times the command out, and then frees its lane.
   */
  <T> CompletionStage<RedisPort.Replicated<T>> evalAndWait(
      RedisScript script, ScriptOutputType type, byte[][] keys, int replicas, Duration timeout, byte[]... args) {
    CompletableFuture<RedisPort.Replicated<T>> result = new CompletableFuture<>();
    CompletableFuture<Lane> lease;
    try {
      lease = lease();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    lease.whenComplete((lane, leaseError) -> {
      if (leaseError != null) {
        result.completeExceptionally(leaseError);
        return;
      }
      if (result.isDone()) { // the caller gave up while waiting for a lane
        release(lane);
        return;
      }
      // Released when Lettuce is done with the commands, not when the caller stops waiting: a lane handed on
      // earlier would put its next call behind a WAIT the server still blocks on.
      lane.<T>evalAndWait(script, type, keys, replicas, timeout, args).whenComplete((done, error) -> {
        release(lane);
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(done);
        }
      });
    });
    return result;
  }

  private CompletableFuture<Lane> lease() {
    synchronized (this) {
      if (closed) {
        throw new RedisException("the port is closed");
      }
      Lane lane = idle.pollFirst();
      if (lane != null) {
        return CompletableFuture.completedFuture(lane);
      }
      if (count >= MAX_LANES) {
        CompletableFuture<Lane> next = new CompletableFuture<>();
        waiting.addLast(next);
        return next;
      }
      count++; // connecting happens outside the lock
    }
    Lane opened;
    try {
      opened = opener.get();
    } catch (RuntimeException e) {
      synchronized (this) {
        count--;
      }
      throw e;
    }
    synchronized (this) {
      if (!closed) {
        lanes.add(opened);
        return CompletableFuture.completedFuture(opened);
      }
    }
    opened.close();
    throw new RedisException("the port is closed");
  }

  private void release(Lane lane) {
    CompletableFuture<Lane> next;
    do {
      synchronized (this) {
        if (closed) {
          return; // close() closed every lane
        }
        next = waiting.pollFirst();
        if (next == null) {
          idle.addFirst(lane);
          return;
        }
      }
    } while (!next.complete(lane)); // a waiter cancelled meanwhile: offer it to the next one
  }

  /** Closes every lane; calls waiting for one fail, calls in flight fail with Lettuce's closed-connection error. */
  @Override
  public void close() {
    List<Lane> open;
    List<CompletableFuture<Lane>> waiters;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = new ArrayList<>(lanes);
      waiters = new ArrayList<>(waiting);
      waiting.clear();
      idle.clear();
    }
    waiters.forEach(w -> w.completeExceptionally(new RedisException("the port is closed")));
    open.forEach(Lane::close);
  }

  /**
   * One connection (or cluster connection) used by one call at a time, with a drop count per server
   * connection it used (kept per connection object: a cluster lane has one per master).
   */
  private static final class Lane {
    private final StatefulConnection<byte[], byte[]> owner;
    private final Function<byte[], CompletionStage<StatefulRedisConnection<byte[], byte[]>>> route;
    private final Map<StatefulConnection<?, ?>, AtomicLong> drops = new ConcurrentHashMap<>();

    Lane(StatefulConnection<byte[], byte[]> owner,
        Function<byte[], CompletionStage<StatefulRedisConnection<byte[], byte[]>>> route) {
      this.owner = owner;
      this.route = route;
    }

    /** The script, then {@code WAIT} once it ran (after a NOSCRIPT retry too), both on the key's server. */
    <T> CompletionStage<RedisPort.Replicated<T>> evalAndWait(
        RedisScript script, ScriptOutputType type, byte[][] keys, int replicas, Duration timeout, byte[]... args) {
      return route.apply(keys[0]).thenCompose(server -> {
        if (!drops.containsKey(server)) { // a new master, or a node connection Lettuce replaced: forget closed ones
          drops.keySet().removeIf(c -> c instanceof RedisChannelHandler<?, ?> handler && handler.isClosed());
        }
        AtomicLong dropped = drops.computeIfAbsent(server, this::watch);
        long before = dropped.get();
        return script.<byte[], byte[], T>evalAsync(server.async(), type, keys, args)
            .thenCompose(reply -> server.async().waitForReplication(replicas, timeout.toMillis())
                .thenApply(acked -> new RedisPort.Replicated<>(reply, dropped.get() == before ? acked : 0L)));
      });
    }

    private AtomicLong watch(StatefulConnection<?, ?> server) {
      AtomicLong count = new AtomicLong();
      server.addListener(new RedisConnectionStateListener() {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
          count.incrementAndGet();
        }
      });
      return count;
    }

    void close() {
      owner.close();
    }
  }
}
