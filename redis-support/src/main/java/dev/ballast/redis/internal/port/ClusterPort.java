package dev.ballast.redis.internal.port;

import dev.ballast.core.internal.Check;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The port on a Redis Cluster: chooses classic or sharded pub/sub, and moves sharded subscriptions when
 * their slot changes owner.
 *
 * <p>Why the move is ours: Lettuce re-sends a subscription on reconnect to the node it was on, so after a
 * failover an {@code SSUBSCRIBE} stays with the dead master (and later the replica it comes back as) and
 * never reaches the new owner. On every topology change the client publishes, this port compares each
 * sharded channel's slot owner with the one it subscribed at and subscribes again where it moved; the
 * server's confirmation then tells the listeners to resync. This needs the client's topology refresh
 * ({@code ClusterTopologyRefreshOptions}: periodic or adaptive triggers), which every cluster deployment
 * should enable anyway. A classic subscription lives on one node: if that node is killed, Lettuce
 * reconnects to another and subscribes there (a resubscribe notice); if it hangs, see {@link
 * #subscriptionMayBeLost}.
 *
 * <p>{@code promotions} is written on Lettuce's event thread only (a concurrent set all the same).
 *
 * <p>Design note: {@code owners} maps a channel to the node id it was last subscribed at; it is written
 * on subscribe and on topology events (Lettuce's event thread), and a stale entry only causes one extra
 * subscribe.
 */
final class ClusterPort extends LettucePort {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterPort.class);
  /** How long {@code open} waits for the nodes to say their version (all asked at once). */
  private static final Duration VERSION_PROBE_TIMEOUT = Duration.ofSeconds(2);
  /** Nodes that cannot serve a subscription: failing, suspected, without address, still joining. */
  private static final List<RedisClusterNode.NodeFlag> NOT_SERVING = List.of(RedisClusterNode.NodeFlag.FAIL,
      RedisClusterNode.NodeFlag.EVENTUAL_FAIL, RedisClusterNode.NodeFlag.NOADDR, RedisClusterNode.NodeFlag.HANDSHAKE);

  private final RedisClusterClient client;
  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final Map<ByteBuffer, String> owners = new ConcurrentHashMap<>();
  /** "nodeId@configEpoch" of every promotion a classic port reacted to (one per failover: tiny). */
  private final Set<String> promotions = ConcurrentHashMap.newKeySet();
  private final Disposable topologyEvents;

  private ClusterPort(
      RedisClusterClient client, StatefulRedisClusterConnection<byte[], byte[]> connection, boolean sharded) {
    super(client, connection, connection.async(), () -> pubSub(client),
        ReplicatedWrites.cluster(() -> client.connect(ByteArrayCodec.INSTANCE)), true, sharded);
    this.client = client;
    this.connection = connection;
    this.topologyEvents = client.getResources().eventBus().get()
        .filter(event -> event instanceof ClusterTopologyChangedEvent)
        .subscribe(event -> {
          if (sharded) {
            resubscribe(this::moved);
          } else if (newPromotion((ClusterTopologyChangedEvent) event)) {
            subscriptionMayBeLost();
          }
        });
  }

  static RedisPort open(RedisClusterClient client, RedisPort.PubSubMode mode) {
    Check.notNull(client, "client");
    Check.notNull(mode, "mode");
    StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
    try {
      // Classic pub/sub works on every version: only AUTO and SHARDED need to know the nodes' versions.
      List<String> old = mode == RedisPort.PubSubMode.CLASSIC ? List.of() : nodesOlderThanSeven(connection);
      if (mode == RedisPort.PubSubMode.SHARDED && !old.isEmpty()) {
        throw new IllegalArgumentException(
            "PubSubMode.SHARDED needs Redis 7.0 or newer on every node; older: " + old);
      }
      boolean sharded = mode == RedisPort.PubSubMode.SHARDED || (mode == RedisPort.PubSubMode.AUTO && old.isEmpty());
      return new ClusterPort(client, connection, sharded);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public Subscription subscribe(byte[] channel, Listener listener) {
    owners.put(ByteBuffer.wrap(channel.clone()), ownerOf(channel));
    return super.subscribe(channel, listener);
  }

  @Override
  public void close() {
    topologyEvents.dispose();
    super.close();
  }

  /**
   * A classic subscription lives on one node we cannot name (Lettuce's default pub/sub connection). A node
   * that hangs without closing its connections (paused, partitioned) leaves it dead with no drop to hear;
   * the cluster then fails it over. So when the topology shows a replica promoted ({@link #newPromotion}),
   * the listeners are told their subscription may be lost and the subscribe is sent again: its
   * confirmation (at once from a live node, or when the hung one answers again) is the resubscribe notice
   * that ends it. A failover costs every classic subscriber one resync.
   */
  private void subscriptionMayBeLost() {
    lostSubscriptions();
    resubscribe(channel -> true);
  }

  /**
   * True if the event shows a replica promoted that this port has not reacted to yet. A promotion, not a
   * failing flag: the client's periodic refresh reads one node's view at a time, and while the nodes
   * disagree the flags come and go from one event to the next (measured: a dozen resyncs per failover
   * when reacting to flags); a promotion is keyed by the node and its new config epoch, which every view
   * that shows it agrees on, so one failover is one resync however often the views alternate.
   */
  boolean newPromotion(ClusterTopologyChangedEvent event) {
    Map<String, RedisClusterNode> before = new HashMap<>();
    event.before().forEach(node -> before.put(node.getNodeId(), node));
    boolean promoted = false;
    for (RedisClusterNode node : event.after()) {
      RedisClusterNode was = before.get(node.getNodeId());
      if (was != null && !upstream(was) && upstream(node)
          && promotions.add(node.getNodeId() + "@" + node.getConfigEpoch())) {
        promoted = true;
      }
    }
    return promoted;
  }

  private static boolean upstream(RedisClusterNode node) {
    return node.getRole() != null && node.getRole().isUpstream();
  }

  /** True if {@code channel}'s slot has a new owner since it was subscribed; records the new one. */
  private boolean moved(byte[] channel) {
    String now = ownerOf(channel);
    String before = owners.put(ByteBuffer.wrap(channel.clone()), now);
    return before != null && !before.equals(now);
  }

  private String ownerOf(byte[] channel) {
    RedisClusterNode node = client.getPartitions().getPartitionBySlot(SlotHash.getSlot(channel));
    return node == null ? "" : node.getNodeId();
  }

  private static StatefulRedisClusterPubSubConnection<byte[], byte[]> pubSub(RedisClusterClient client) {
    StatefulRedisClusterPubSubConnection<byte[], byte[]> pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
    // SSUBSCRIBE lives on the connection to the slot's node: hand its messages to the port's listener.
    pubSub.setNodeMessagePropagation(true);
    return pubSub;
  }

  /**
   * Asks every node that may serve its version ({@code INFO server}), all at once and for at most
   * {@link #VERSION_PROBE_TIMEOUT}; returns "host:port=version" of the old ones. A node the cluster flags
   * as failing (or not yet joined) is skipped, and so is one that does not answer in time: a dead replica
   * or the failed master of the last failover must not stop every cache, queue and limiter from opening
   * while the rest of the cluster serves. (The masters decide in practice: they are what every instance
   * reaches, so instances agree on the mode.)
   */
  private static List<String> nodesOlderThanSeven(StatefulRedisClusterConnection<byte[], byte[]> connection) {
    Map<RedisClusterNode, CompletableFuture<String>> asked = new HashMap<>();
    for (RedisClusterNode node : connection.getPartitions()) {
      if (NOT_SERVING.stream().noneMatch(node::is)) {
        asked.put(node, connection.getConnectionAsync(node.getNodeId())
            .thenCompose(nodeConnection -> nodeConnection.async().info("server")).toCompletableFuture());
      }
    }
    long deadline = System.nanoTime() + VERSION_PROBE_TIMEOUT.toNanos();
    List<String> old = new ArrayList<>();
    for (Map.Entry<RedisClusterNode, CompletableFuture<String>> answer : asked.entrySet()) {
      String where = answer.getKey().getUri().getHost() + ":" + answer.getKey().getUri().getPort();
      String info;
      try {
        info = answer.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisException("interrupted while asking the cluster's nodes their version", e);
      } catch (ExecutionException | TimeoutException e) {
        answer.getValue().cancel(false);
        LOG.warn("Redis Cluster node {} did not say its version ({}); the pub/sub mode is chosen without it",
            where, e instanceof TimeoutException ? "no answer in " + VERSION_PROBE_TIMEOUT.toMillis() + " ms" : e.getCause());
        continue;
      }
      String version = field(info, "redis_version");
      int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
      if (major < 7) {
        old.add(where + "=" + version);
      }
    }
    return old;
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).strip();
      }
    }
    throw new IllegalStateException("INFO server has no " + name);
  }
}
