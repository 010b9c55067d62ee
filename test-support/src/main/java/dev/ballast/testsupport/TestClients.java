package dev.ballast.testsupport;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;

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
            .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
            // Time out async and reactive commands too, with the connection's timeout.
            .timeoutOptions(TimeoutOptions.enabled())
            .build());
    return client;
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
