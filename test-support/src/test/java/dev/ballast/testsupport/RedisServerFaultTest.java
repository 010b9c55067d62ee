package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stop, start, restart, pause and resume, seen by one long-lived Lettuce connection. */
class RedisServerFaultTest {

  @RegisterExtension static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final Duration SHORT = Duration.ofMillis(300);

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> commands;

  @BeforeAll
  static void connect(RedisServer redis) {
    client = redis.newClient();
    connection = client.connect();
    commands = connection.sync();
  }

  @AfterEach
  void restoreTimeout() {
    connection.setTimeout(TestClients.COMMAND_TIMEOUT);
  }

  @AfterAll
  static void disconnect() {
    connection.close();
    client.close();
  }

  @Test
  void sameConnectionWorksAgainAfterStopAndStart(RedisServer redis) {
    int port = redis.port();
    commands.set("key", "value");

    redis.stop();
    assertThat(redis.isRunning()).isFalse();
    connection.setTimeout(SHORT);
    assertThatThrownBy(commands::ping).isInstanceOf(RedisException.class);

    redis.start();
    assertThat(redis.port()).isEqualTo(port);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> "PONG".equals(commands.ping()));
    // No persistence by default: a stop loses the data.
    assertThat(commands.get("key")).isNull();
  }

  @Test
  void restartKeepsThePortAndClientsReconnect(RedisServer redis) {
    int port = redis.port();
    LocalRedisServer local = (LocalRedisServer) redis;
    long pidBefore = local.pid();

    redis.restart();

    assertThat(redis.port()).isEqualTo(port);
    assertThat(local.pid()).isNotEqualTo(pidBefore);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> "PONG".equals(commands.ping()));
  }

  @Test
  void pausedServerTimesCommandsOutUntilResumed(RedisServer redis) {
    redis.pause();
    assertThat(redis.isPaused()).isTrue();
    connection.setTimeout(SHORT);
    assertThatThrownBy(commands::ping).isInstanceOf(RedisCommandTimeoutException.class);

    redis.resume();

    assertThat(redis.isPaused()).isFalse();
    connection.setTimeout(TestClients.COMMAND_TIMEOUT);
    assertThat(commands.ping()).isEqualTo("PONG");
  }

  @Test
  void pausedServerRefusesFlushAllWithAClearMessage(RedisServer redis) {
    redis.pause();
    assertThatThrownBy(redis::flushAll)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("paused");
  }
}
