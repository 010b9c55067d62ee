package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** Launching, binary resolution and lifecycle errors of a local server. */
class RedisServerTest {

  @Test
  void launchedServerAnswersPingThroughLettuce() {
    try (RedisServer redis = RedisServer.launch();
        RedisClient client = redis.newClient();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().ping()).isEqualTo("PONG");
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(redis.host()).isEqualTo("127.0.0.1");
      assertThat(redis.isExternal()).isFalse();
      assertThat(redis.isRunning()).isTrue();
    }
  }

  @Test
  void embeddedBinaryStartsAndAnswers() {
    try (RedisServer redis = RedisServer.builder().binary("embedded").launch()) {
      assertThat(serverInfo(redis)).contains("redis_version:6.2.");
    }
  }

  @Test
  void versionIsReadFromTheServerAndFromTheBinary() {
    try (RedisServer redis = RedisServer.builder().binary("embedded").launch()) {
      assertThat(redis.version()).isEqualTo(RedisBinary.resolve("embedded").version());
      assertThat(redis.version().major()).isEqualTo(6);
      assertThat(redis.version().atLeast("6.2")).isTrue();
      assertThat(redis.version().atLeast("7.0")).isFalse();
    }
  }

  @Test
  void debugCommandWorksOnTheEmbedded62BinaryAndOnTheOneOnPath() {
    // Redis 7 needs enable-debug-command, which Redis 6.2 does not know and exits on.
    for (String binary : RedisBinary.onPath().isPresent() ? List.of("embedded", "path") : List.of("embedded")) {
      try (RedisServer redis = RedisServer.builder().binary(binary).debugCommand().launch();
          RedisClient client = redis.newClient();
          StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(c.sync().dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
            new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add("0"))).as(binary).isEqualTo("OK");
      }
    }
  }

  @Test
  void versionParsesInfoAndVersionOutput() {
    assertThat(RedisVersion.parse("7.0.15")).isEqualTo(new RedisVersion(7, 0, 15));
    assertThat(RedisVersion.parse("Redis server v=6.2.6 sha=4930d19e:1")).isEqualTo(new RedisVersion(6, 2, 6));
    assertThat(RedisVersion.parse("8.0\r\n")).isEqualTo(new RedisVersion(8, 0, 0));
    assertThat(new RedisVersion(7, 2, 4).atLeast("7.2.4")).isTrue();
    assertThat(new RedisVersion(7, 2, 4).atLeast("7.10")).isFalse();
    assertThatThrownBy(() -> RedisVersion.parse("unknown")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown");
  }

  @Test
  void binaryPropertySelectsTheEmbeddedBinary() {
    String before = System.getProperty(RedisBinary.PROPERTY);
    System.setProperty(RedisBinary.PROPERTY, "embedded");
    try (RedisServer redis = RedisServer.launch()) {
      assertThat(RedisBinary.resolve("embedded").origin()).contains("embedded-redis");
      // The embedded binaries are Redis 6.2; proves the property was honoured even with redis-server on PATH.
      assertThat(serverInfo(redis)).contains("redis_version:6.2.");
    } finally {
      if (before == null) {
        System.clearProperty(RedisBinary.PROPERTY);
      } else {
        System.setProperty(RedisBinary.PROPERTY, before);
      }
    }
  }

  @Test
  void unknownBinaryFileIsRejectedWithTheProperty() {
    assertThatThrownBy(() -> RedisBinary.resolve("/no/such/redis-server"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(RedisBinary.PROPERTY)
        .hasMessageContaining("/no/such/redis-server");
  }

  @Test
  void portTakenBeforeBindingIsRetriedWithAnotherPort() throws IOException {
    try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int taken = squatter.getLocalPort();
      AtomicInteger calls = new AtomicInteger();
      IntSupplier ports = () -> calls.getAndIncrement() == 0 ? taken : FreePorts.pick();
      try (RedisServer redis = RedisServer.builder().ports(ports).launch()) {
        assertThat(redis.port()).isNotEqualTo(taken);
        assertThat(calls).hasValue(2);
        assertThat(serverInfo(redis)).contains("tcp_port:" + redis.port());
      }
    }
  }

  @Test
  void startAgainFailsClearlyWhenThePortWasTakenMeanwhile() throws IOException {
    try (RedisServer redis = RedisServer.launch()) {
      redis.stop();
      try (ServerSocket squatter = new ServerSocket()) {
        squatter.setReuseAddress(true);
        squatter.bind(new InetSocketAddress("127.0.0.1", redis.port()));

        assertThatThrownBy(redis::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("another process took port " + redis.port());
      }
      assertThat(redis.isRunning()).isFalse();
    }
  }

  @Test
  void startupFailureQuotesTheServerLog() {
    assertThatThrownBy(() -> RedisServer.builder().config("no-such-directive", "x").launch())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("no-such-directive");
  }

  @Test
  void closingAPausedServerLeavesNoProcess() {
    LocalRedisServer redis = (LocalRedisServer) RedisServer.launch();
    redis.pause();
    long pid = redis.pid();
    assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

    redis.close();

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(redis.isRunning()).isFalse();
    assertThat(redis.isPaused()).isFalse();
  }

  @Test
  void stoppedOrClosedServerRefusesWhatNeedsAProcess() {
    RedisServer redis = RedisServer.launch();
    redis.stop();
    redis.stop(); // idempotent
    assertThatThrownBy(redis::pause)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped");
    assertThatThrownBy(redis::flushAll)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped");
    redis.start();
    assertThatThrownBy(redis::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already running");
    redis.close();
    assertThatThrownBy(redis::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void builderRejectsManagedAndRepeatedOptions() {
    assertThatThrownBy(() -> RedisServer.builder().config("--port", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'port'");
    assertThatThrownBy(() -> RedisServer.builder().config("maxmemory", "1mb").config("MAXMEMORY", "2mb"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxmemory");
    assertThatThrownBy(() -> RedisServer.builder().appendOnly().appendOnly())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void extraConfigReachesTheServer() {
    try (RedisServer redis = RedisServer.builder().config("notify-keyspace-events", "KEA").launch();
        RedisClient client = redis.newClient();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().configGet("notify-keyspace-events"))
          .hasEntrySatisfying("notify-keyspace-events", v -> assertThat(v).contains("K", "E", "A"));
    }
  }

  private static String serverInfo(RedisServer redis) {
    try (RedisClient client = redis.newClient();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().info("server");
    }
  }
}
