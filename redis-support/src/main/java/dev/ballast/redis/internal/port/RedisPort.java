package dev.ballast.redis.internal.port;

import dev.ballast.redis.RedisScript;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The few Redis operations the Ballast modules need, the same on one server, a Sentinel setup and a
 * Redis Cluster: scripts by SHA, publish and subscribe with a resubscribe notice, the server's clock and
 * multi-key reads. Not user API: the modules take the user's {@link RedisClient} or {@link
 * RedisClusterClient} and open a port on it, so no module handles both topologies itself.
 *
 * <p>Keys, values and channels are bytes (the modules encode them). Every operation is asynchronous and
 * bounded by the client's command timeout; failures complete the stage exceptionally with Lettuce's
 * exception, for {@link dev.ballast.redis.RedisErrorKind#classify} to judge. Thread-safe.
 *
 * <pre>{@code
 * try (RedisPort port = RedisPort.open(clusterClient, PubSubMode.AUTO)) {
 *   port.eval(script, ScriptOutputType.INTEGER, keys, args);
 *   RedisPort.Subscription sub = port.subscribe(channel, listener);   // listener.onResubscribed(): resync
 *   port.publish(channel, message);
 * }
 * }</pre>
 */
public interface RedisPort extends AutoCloseable {

  /** Which publish/subscribe commands a cluster port uses. */
  enum PubSubMode {
    /** Sharded ({@code SPUBLISH}/{@code SSUBSCRIBE}) when every node is Redis 7.0 or newer, else classic. */
    AUTO,
    /** {@code PUBLISH}/{@code SUBSCRIBE}: reaches every node's subscribers, broadcast over the cluster bus. */
    CLASSIC,
    /** {@code SPUBLISH}/{@code SSUBSCRIBE}: stays on the shard that owns the channel's slot (Redis 7.0+). */
    SHARDED
  }

  /** Receives the messages of one channel. Called on a Lettuce event-loop thread: do not block. */
  interface Listener {

    /** A message published on the channel. */
    void onMessage(byte[] message);

    /**
     * The subscription was confirmed again after the connection dropped (a restart, a failover, a slot
     * moving): messages published in between are lost, so resync now.
     */
    void onResubscribed();

    /**
     * The connection holding the subscription dropped (not closed on purpose): messages published from
     * now until {@link #onResubscribed()} are lost. Said once per drop, before the resubscription. Not said
     * for a sharded subscription on a cluster (it lives on a per-node connection the port does not watch;
     * the port moves it when its slot changes owner and then says {@link #onResubscribed()}).
     */
    default void onSubscriptionLost() {}
  }

  /** One channel subscription; closing it unsubscribes. */
  interface Subscription extends AutoCloseable {

    /** Completes when the server first confirmed the subscription. */
    CompletionStage<Void> confirmed();

    /** Stops delivering messages and unsubscribes; idempotent. */
    @Override
    void close();
  }

  /**
   * Connects to a standalone server, or to the master a Sentinel URI ({@code redis-sentinel://...})
   * names; Lettuce asks the Sentinels again on every reconnect, so the port follows a failover.
   *
   * @throws io.lettuce.core.RedisConnectionException if it cannot connect
   */
  static RedisPort open(RedisClient client) {
    return StandalonePort.open(client);
  }

  /**
   * Connects to a Redis Cluster; with {@link PubSubMode#AUTO} asks every node for its version.
   *
   * @throws io.lettuce.core.RedisConnectionException if it cannot connect
   * @throws IllegalArgumentException if {@code mode} is {@code SHARDED} and a node is older than 7.0
   */
  static RedisPort open(RedisClusterClient client, PubSubMode mode) {
    return ClusterPort.open(client, mode);
  }

  /** True on a Redis Cluster. */
  boolean isCluster();

  /** True if this port publishes with {@code SPUBLISH} and subscribes with {@code SSUBSCRIBE}. */
  boolean isShardedPubSub();

  /**
   * Runs {@code script} by SHA, sending its text only after {@code NOSCRIPT} (see {@link RedisScript}).
   * On a cluster every key must hash to one slot (see {@link dev.ballast.redis.HashTags}).
   */
  <T> CompletionStage<T> eval(RedisScript script, ScriptOutputType type, byte[][] keys, byte[]... args);

  /** A script's reply and how many replicas acknowledged the writes before it ({@code WAIT}'s reply). */
  record Replicated<T>(T reply, long replicas) {}

  /**
   * Runs {@code script} as {@link #eval} does, then {@code WAIT replicas timeout} on the same connection
   * to the same server (on a cluster: the master of {@code keys[0]}'s slot, asked directly rather than
   * through redirects, so the {@code WAIT} covers the script's writes), and completes with both replies.
   * The server blocks that connection for up to {@code timeout} while replicas catch up, so {@code
   * timeout} should stay below the client's command timeout. That connection is one of the port's own for
   * replicated writes, never the one {@link #eval} and the other operations use: a {@code WAIT} delays only
   * its caller, and concurrent calls wait side by side (up to 16 at once; more wait for a free connection).
   * A call during which its connection dropped reports 0 replicas (a command re-sent after a reconnect may
   * reach a promoted master, whose replicas never saw the write). Fewer replicas than asked is no failure
   * here: the caller decides.
   *
   * @throws UnsupportedOperationException if this port cannot do it (only test fakes)
   */
  default <T> CompletionStage<Replicated<T>> evalAndWait(
      RedisScript script, ScriptOutputType type, byte[][] keys, int replicas, Duration timeout, byte[]... args) {
    throw new UnsupportedOperationException("evalAndWait is not supported by " + getClass().getName());
  }

  /**
   * The client's command timeout: how long a caller that waits for a stage of this port should wait at
   * most (the synchronous Lettuce API's bound).
   *
   * @throws UnsupportedOperationException if this port cannot tell (only test fakes)
   */
  default Duration commandTimeout() {
    throw new UnsupportedOperationException("commandTimeout is not known to " + getClass().getName());
  }

  /** Publishes {@code message}; completes with the number of subscribers that received it (this node's or shard's). */
  CompletionStage<Long> publish(byte[] channel, byte[] message);

  /** Subscribes {@code listener} to {@code channel}; several listeners per channel are allowed. */
  Subscription subscribe(byte[] channel, Listener listener);

  /** The server's clock ({@code TIME}) in microseconds since the epoch. */
  CompletionStage<Long> timeMicros();

  /**
   * Reads {@code keys} pipelined ({@code GET} each, all sent before the first reply is read; on a cluster
   * each goes to its slot's master); the list holds null for a missing key, in the order of {@code keys}.
   */
  CompletionStage<List<byte[]>> getAll(List<byte[]> keys);

  /** Closes the port's connections (not the client). */
  @Override
  void close();
}
