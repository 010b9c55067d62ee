package dev.ballast.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cancelling a script's stage cancels the Lettuce command, so a command buffered while disconnected is dropped. */
class RedisScriptCancelTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final RedisScript INCREMENT = RedisScript.of("increment",
      "return redis.call('INCRBY', KEYS[1], ARGV[1])");

  @Test
  void aCancelledCallIsNotReplayedWhenTheConnectionComesBack(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.setTimeout(Duration.ofMillis(500)); // per connection: Lettuce 7 has no client-wide default
      INCREMENT.eval(connection.sync(), ScriptOutputType.INTEGER, new String[] {"warm"}, "1"); // SHA known
      server.stop();
      CompletableFuture<Long> stage = INCREMENT.<String, String, Long>evalAsync(connection.async(),
          ScriptOutputType.INTEGER, new String[] {"counter"}, "1").toCompletableFuture();
      assertThat(stage.cancel(false)).isTrue();
      server.start();
      awaitReconnected(connection);

      assertThat(connection.sync().get("counter")).isNull();
    } finally {
      client.shutdown();
    }
  }

  private static void awaitReconnected(StatefulRedisConnection<String, String> connection) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        connection.sync().ping();
        // One more round trip: anything Lettuce replayed on reconnect was written before this PING.
        connection.sync().ping();
        return;
      } catch (RuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
      }
    }
  }
}
