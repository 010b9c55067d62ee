package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server named by REDIS_URL is usable but cannot be faulted or closed by the tests. */
class ExternalRedisServerTest {

  /** Plays the part of the server REDIS_URL would point at. */
  @RegisterExtension static final RedisExtension REDIS = RedisExtension.dedicated();

  @Test
  void faultMethodsThrowUnsupportedOperation(RedisServer backing) {
    RedisServer external = RedisServer.external(backing.uri());

    assertThat(external.isExternal()).isTrue();
    ThrowingCallable[] faults = {
      external::stop, external::start, external::restart, external::pause, external::resume
    };
    for (ThrowingCallable fault : faults) {
      assertThatThrownBy(fault)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("external (REDIS_URL)")
          .hasMessageContaining("RedisExtension.dedicated()");
    }
    assertThat(backing.isRunning()).isTrue();
  }

  @Test
  void flushAllWorksAndCloseLeavesTheServerRunning(RedisServer backing) {
    RedisServer external = RedisServer.external(backing.uri());
    try (RedisClient client = external.newClient();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set("key", "value");

      external.flushAll();
      assertThat(connection.sync().dbsize()).isZero();

      external.close();
      assertThat(connection.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void redisUrlInTheEnvironmentWinsOverLaunching(RedisServer backing) {
    RedisServer fromEnv = ExternalRedisServer.fromEnvironment(Map.of(RedisServer.REDIS_URL, backing.uri()));

    assertThat(fromEnv.isExternal()).isTrue();
    assertThat(fromEnv.host()).isEqualTo(backing.host());
    assertThat(fromEnv.port()).isEqualTo(backing.port());
  }

  @Test
  void withoutRedisUrlALocalServerIsLaunched() {
    try (RedisServer launched = ExternalRedisServer.fromEnvironment(Map.of(RedisServer.REDIS_URL, " "))) {
      assertThat(launched.isExternal()).isFalse();
      assertThat(launched.isRunning()).isTrue();
    }
  }
}
