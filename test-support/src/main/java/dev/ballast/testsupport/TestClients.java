package dev.ballast.testsupport;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds Lettuce clients with timeouts short enough for tests (see {@link RedisServer#newClient()}). */
final class TestClients {

  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private TestClients() {}

  static RedisClient create(String uri) {
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(COMMAND_TIMEOUT);
    RedisClient client = RedisClient.create(Resources.SHARED, redisUri);
    client.setOptions(
        ClientOptions.builder()
            .socketOptions(socketOptions())
            // Time out async and reactive commands too, with the connection's timeout.
            .timeoutOptions(TimeoutOptions.enabled())
            .build());
    return client;
  }

  static RedisClusterClient createCluster(List<RedisURI> seeds) {
    List<RedisURI> uris = new ArrayList<>();
    for (RedisURI seed : seeds) {
      uris.add(RedisURI.builder(seed).withTimeout(COMMAND_TIMEOUT).build());
    }
    RedisClusterClient client = RedisClusterClient.create(Resources.SHARED, uris);
    client.setOptions(
        ClusterClientOptions.builder()
            .socketOptions(socketOptions())
            .timeoutOptions(TimeoutOptions.enabled())
            // Follow failovers promptly: refresh on MOVED/ASK, reconnects and failed connections, and
            // every second in case nothing triggers it.
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(200))
                    .enablePeriodicRefresh(Duration.ofSeconds(1))
                    .build())
            .build());
    return client;
  }

  private static SocketOptions socketOptions() {
    return SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  /**
   * One set of Lettuce threads for every test client, created on first use. Lettuce's default reconnect
   * delay grows to 30 s, far longer than a restart in a fault test; a constant 100 ms reconnects promptly.
   */
  private static final class Resources {
    static final ClientResources SHARED =
        ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(100))).build();
  }
}
