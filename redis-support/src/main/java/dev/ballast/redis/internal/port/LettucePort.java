package dev.ballast.redis.internal.port;

import dev.ballast.redis.RedisScript;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The port over Lettuce, for both topologies: the commands it needs exist with the same shape on a
 * standalone connection and a cluster connection (which routes each by its key's slot), so one class
 * serves both and {@link StandalonePort} and {@link ClusterPort} only open the connections.
 *
 * <p>Design note: the data connection is opened by the factory; the pub/sub connection on the first
 * subscribe (guarded by {@code this}); the connections of {@link #evalAndWait} on demand by {@link
 * ReplicatedWrites}, so a {@code WAIT} never blocks the data connection. Listener bookkeeping and the
 * resubscribe rule are {@link Subscriptions}. A drop of the pub/sub connection is heard through the client's connection state
 * listener (registered with the pub/sub connection, removed on close): Lettuce reports a drop with the
 * connection it belongs to, so only this port's own connection counts, and a close (ours) is no drop.
 * On a cluster that connection carries every classic subscription; sharded ones live on per-node
 * connections inside it, which Lettuce reports as separate connections we cannot tell from others.
 */
class LettucePort implements RedisPort {

  private final AbstractRedisClient client;
  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisClusterAsyncCommands<byte[], byte[]> commands;
  private final Supplier<StatefulRedisPubSubConnection<byte[], byte[]>> pubSubOpener;
  private final boolean cluster;
  private final boolean sharded;
  private final ReplicatedWrites replicated;
  private final Subscriptions subscriptions = new Subscriptions();
  private StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
  private RedisConnectionStateListener dropListener;

  LettucePort(
      AbstractRedisClient client,
      StatefulConnection<byte[], byte[]> connection,
      RedisClusterAsyncCommands<byte[], byte[]> commands,
      Supplier<StatefulRedisPubSubConnection<byte[], byte[]>> pubSubOpener,
      ReplicatedWrites replicated,
      boolean cluster,
      boolean sharded) {
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.replicated = replicated;
    this.pubSubOpener = pubSubOpener;
    this.cluster = cluster;
    this.sharded = sharded;
  }

  @Override
  public boolean isCluster() {
    return cluster;
  }

  @Override
  public boolean isShardedPubSub() {
    return sharded;
  }

  @Override
  public <T> CompletionStage<T> eval(RedisScript script, ScriptOutputType type, byte[][] keys, byte[]... args) {
    return script.evalAsync(commands, type, keys, args);
  }

  /** On a connection of its own, not the data connection: see {@link ReplicatedWrites}. */
  @Override
  public <T> CompletionStage<Replicated<T>> evalAndWait(
      RedisScript script, ScriptOutputType type, byte[][] keys, int replicas, Duration timeout, byte[]... args) {
    return replicated.evalAndWait(script, type, keys, replicas, timeout, args);
  }

  @Override
  public Duration commandTimeout() {
    return connection.getTimeout();
  }

  @Override
  public CompletionStage<Long> publish(byte[] channel, byte[] message) {
    return sharded ? commands.spublish(channel, message) : commands.publish(channel, message);
  }

  @Override
  public Subscription subscribe(byte[] channel, Listener listener) {
    StatefulRedisPubSubConnection<byte[], byte[]> connection = pubSub();
    Subscriptions.Entry entry =
        subscriptions.add(channel, listener, c -> {
          RedisFuture<Void> sent = sharded ? connection.async().ssubscribe(c) : connection.async().subscribe(c);
          sent.exceptionally(error -> null); // a failed first subscribe leaves confirmed() pending; Lettuce retries on reconnect
        });
    return new Subscription() {
      private boolean closed;

      @Override
      public CompletionStage<Void> confirmed() {
        return entry.confirmed.minimalCompletionStage();
      }

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          subscriptions.remove(channel, entry, c -> {
            if (sharded) {
              connection.async().sunsubscribe(c);
            } else {
              connection.async().unsubscribe(c);
            }
          });
        }
      }
    };
  }

  /** Tells every listener its subscription may be lost (until the next confirmation: {@link #resubscribe}). */
  void lostSubscriptions() {
    subscriptions.lost();
  }

  /**
   * Sends the subscribe command again for the subscribed channels {@code moved} selects, so Lettuce
   * routes it anew (a sharded channel whose slot changed owner); the server's confirmation then tells the
   * listeners to resync.
   */
  void resubscribe(Predicate<byte[]> moved) {
    StatefulRedisPubSubConnection<byte[], byte[]> connection;
    synchronized (this) {
      connection = pubSub;
    }
    if (connection == null) {
      return;
    }
    for (byte[] channel : subscriptions.channels()) {
      if (moved.test(channel)) {
        RedisFuture<Void> sent =
            sharded ? connection.async().ssubscribe(channel) : connection.async().subscribe(channel);
        sent.exceptionally(error -> null); // the next topology change or reconnect tries again
      }
    }
  }

  @Override
  public CompletionStage<Long> timeMicros() {
    return commands.time().thenApply(reply -> {
      long seconds = Long.parseLong(new String(reply.get(0), StandardCharsets.US_ASCII));
      long micros = Long.parseLong(new String(reply.get(1), StandardCharsets.US_ASCII));
      return seconds * 1_000_000L + micros;
    });
  }

  @Override
  public CompletionStage<List<byte[]>> getAll(List<byte[]> keys) {
    // Every GET is written before any reply is awaited: one pipelined burst (per node on a cluster).
    List<RedisFuture<byte[]>> replies = new ArrayList<>(keys.size());
    for (byte[] key : keys) {
      replies.add(commands.get(key));
    }
    return CompletableFuture.allOf(replies.stream().map(RedisFuture::toCompletableFuture).toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          List<byte[]> values = new ArrayList<>(replies.size());
          replies.forEach(r -> values.add(r.toCompletableFuture().getNow(null)));
          return values;
        });
  }

  @Override
  public synchronized void close() {
    if (dropListener != null) {
      client.removeListener(dropListener);
    }
    if (pubSub != null) {
      pubSub.close();
    }
    replicated.close();
    connection.close();
  }

  private synchronized StatefulRedisPubSubConnection<byte[], byte[]> pubSub() {
    if (pubSub == null) {
      StatefulRedisPubSubConnection<byte[], byte[]> opened = pubSubOpener.get();
      opened.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(byte[] channel, byte[] message) {
          subscriptions.message(channel, message);
        }

        @Override
        public void smessage(byte[] channel, byte[] message) {
          subscriptions.message(channel, message);
        }

        @Override
        public void subscribed(byte[] channel, long count) {
          subscriptions.confirmed(channel);
        }

        @Override
        public void ssubscribed(byte[] channel, long count) {
          subscriptions.confirmed(channel);
        }
      });
      pubSub = opened;
      dropListener = new RedisConnectionStateListener() {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> dropped) {
          if (dropped == opened && !dropped.isClosed()) {
            subscriptions.lost();
          }
        }
      };
      client.addListener(dropListener);
    }
    return pubSub;
  }
}
