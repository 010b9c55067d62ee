package dev.ballast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class RedisScriptTest {

  private static final RedisScript INCREMENT = RedisScript.of("increment",
      "return redis.call('INCRBY', KEYS[1], ARGV[1])");

  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;

  @BeforeEach
  void connect(RedisServer server) {
    client = server.newClient();
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterEach
  void disconnect() {
    connection.close();
    client.shutdown();
  }

  @Test
  void runsByShaAndReloadsAfterTheServerForgotTheScript() {
    assertThat(INCREMENT.sha()).isEqualTo(redis.scriptLoad(INCREMENT.source()));
    Long first = INCREMENT.eval(redis, ScriptOutputType.INTEGER, new String[] {"counter"}, "2");
    redis.scriptFlush();
    Long second = INCREMENT.eval(redis, ScriptOutputType.INTEGER, new String[] {"counter"}, "3");
    assertThat(first).isEqualTo(2L);
    assertThat(second).isEqualTo(5L);
    assertThat(redis.scriptExists(INCREMENT.sha())).containsExactly(true);
  }

  @Test
  void asyncReloadsToo() throws Exception {
    redis.scriptFlush();
    Long value = INCREMENT.<String, String, Long>evalAsync(connection.async(), ScriptOutputType.INTEGER,
        new String[] {"async-counter"}, "7").toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(value).isEqualTo(7L);
  }

  @Test
  void loadsFromAResourceAndNamesAMissingOne() {
    assertThat(RedisScript.fromResource(RedisScriptTest.class, "/echo.lua").source()).contains("ARGV[1]");
    assertThatThrownBy(() -> RedisScript.fromResource(RedisScriptTest.class, "/missing.lua"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.lua");
  }

  @Test
  void aScriptErrorIsNotMistakenForAMissingScript() {
    RedisScript broken = RedisScript.of("broken", "return redis.call('NOSUCHCOMMAND')");
    assertThatThrownBy(() -> broken.eval(redis, ScriptOutputType.STATUS, new String[0]))
        .hasMessageContaining("Unknown Redis command");
  }
}
