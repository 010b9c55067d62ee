package dev.ballast.redis.internal.port;

import dev.ballast.core.internal.Check;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;

/** Opens the port on one server or, through a Sentinel URI, on the master the Sentinels name. */
final class StandalonePort {

  private StandalonePort() {}

  static RedisPort open(RedisClient client) {
    Check.notNull(client, "client");
    StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
    // Classic pub/sub: on one server SSUBSCRIBE would add nothing, and Redis 6 lacks it.
    return new LettucePort(client, connection, connection.async(), () -> client.connectPubSub(ByteArrayCodec.INSTANCE),
        ReplicatedWrites.standalone(() -> client.connect(ByteArrayCodec.INSTANCE)), false, false);
  }
}
