package dev.ballast.cache.internal;

import dev.ballast.redis.internal.port.RedisPort;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * The one place that knows which kind of client the cache was given: a {@link RedisClient} (one server,
 * or a Sentinel-managed master through a {@code redis-sentinel://} URI) or a {@link RedisClusterClient}.
 * Everything else talks to the {@link RedisClusterAsyncCommands} both connections offer: on a cluster the
 * advanced commands route each key to its slot's master and split {@code MGET}, {@code DEL},
 * {@code UNLINK} and {@code SCAN} per slot or node, so the cache's code is the same on both, and the hot
 * path (one {@code GET}) is the same single interface call. Pub/sub goes through the shared
 * {@link RedisPort} (classic or sharded, resubscribed after a failover).
 *
 * <p>Immutable.
 */
public abstract sealed class RedisConnector {

  /** An open data connection and its asynchronous commands. */
  record Connection(StatefulConnection<byte[], byte[]> connection, RedisClusterAsyncCommands<byte[], byte[]> commands) {}

  public static RedisConnector of(RedisClient client) {
    return new Standalone(client);
  }

  public static RedisConnector of(RedisClusterClient client) {
    return new Cluster(client);
  }

  /** Opens a data connection (the caller closes it). */
  abstract Connection connect();

  /** Opens a pub/sub port (the caller closes it). */
  abstract RedisPort openPort();

  /** The application's client, for connection state events. */
  abstract AbstractRedisClient client();

  /** True for a Redis Cluster. */
  abstract boolean isCluster();

  private static final class Standalone extends RedisConnector {
    private final RedisClient client;

    Standalone(RedisClient client) {
      this.client = client;
    }

    @Override
    Connection connect() {
      StatefulRedisConnection<byte[], byte[]> opened = client.connect(ByteArrayCodec.INSTANCE);
      return new Connection(opened, opened.async());
    }

    @Override
    RedisPort openPort() {
      return RedisPort.open(client);
    }

    @Override
    AbstractRedisClient client() {
      return client;
    }

    @Override
    boolean isCluster() {
      return false;
    }
  }

  private static final class Cluster extends RedisConnector {
    private final RedisClusterClient client;

    Cluster(RedisClusterClient client) {
      this.client = client;
    }

    @Override
    Connection connect() {
      StatefulRedisClusterConnection<byte[], byte[]> opened = client.connect(ByteArrayCodec.INSTANCE);
      return new Connection(opened, opened.async());
    }

    @Override
    RedisPort openPort() {
      // Sharded pub/sub (SPUBLISH/SSUBSCRIBE) when every node is 7.0+, else classic.
      return RedisPort.open(client, RedisPort.PubSubMode.AUTO);
    }

    @Override
    AbstractRedisClient client() {
      return client;
    }

    @Override
    boolean isCluster() {
      return true;
    }
  }
}
