package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A dedicated append-only server keeps its data across a stop and start. */
class AppendOnlyTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  @Test
  void keyWrittenBeforeStopSurvivesStart(RedisServer redis) {
    try (RedisClient client = redis.newClient();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> commands = connection.sync();
      commands.set("durable", "yes");

      redis.stop();
      redis.start();

      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> "PONG".equals(commands.ping()));
      assertThat(commands.get("durable")).isEqualTo("yes");
    }
  }
}
