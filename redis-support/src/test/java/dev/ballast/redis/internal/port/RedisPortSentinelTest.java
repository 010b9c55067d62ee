package dev.ballast.redis.internal.port;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.redis.RedisScript;
import dev.ballast.testsupport.RedisSentinelExtension;
import dev.ballast.testsupport.RedisSentinelSetup;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The standalone port through a {@code redis-sentinel://} URI: it follows the master the Sentinels name. */
class RedisPortSentinelTest {

  @RegisterExtension static final RedisSentinelExtension extension = RedisSentinelExtension.create();

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final RedisScript INCR = RedisScript.of("incr", "return redis.call('INCR', KEYS[1])");

  @Test
  void portFollowsASentinelFailoverForScriptsAndResubscribes(RedisSentinelSetup setup) throws Exception {
    RedisClient client = RedisClient.create(setup.redisUri());
    try (RedisPort port = RedisPort.open(client)) {
      assertThat(port.isCluster()).isFalse();
      assertThat(port.isShardedPubSub()).isFalse();
      byte[][] counter = {"counter".getBytes(UTF_8)};
      assertThat(join(port.<Long>eval(INCR, ScriptOutputType.INTEGER, counter))).isEqualTo(1L);
      RecordingListener listener = new RecordingListener();
      join(port.subscribe("events".getBytes(UTF_8), listener).confirmed());
      join(port.publish("events".getBytes(UTF_8), "before".getBytes(UTF_8)));
      assertThat(listener.messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("before");

      RedisServer old = setup.master();
      RedisServer promoted = setup.failover();
      assertThat(promoted).isNotEqualTo(old);

      // The Sentinels closed the old master's clients; Lettuce asked them again and found the new master.
      await().atMost(DEADLINE).ignoreExceptions()
          .until(() -> join(port.<Long>eval(INCR, ScriptOutputType.INTEGER, counter)) == 2L);
      try (RedisClient direct = promoted.newClient(); StatefulRedisConnection<String, String> c = direct.connect()) {
        assertThat(c.sync().get("counter")).isEqualTo("2");
      }
      await().atMost(DEADLINE).until(() -> listener.resubscribes.get() >= 1);
      await().atMost(DEADLINE).ignoreExceptions().until(() -> {
        join(port.publish("events".getBytes(UTF_8), "after".getBytes(UTF_8)));
        return "after".equals(listener.messages.poll(200, TimeUnit.MILLISECONDS));
      });
      assertThat(join(port.getAll(List.of(counter[0], "missing".getBytes(UTF_8)))))
          .satisfies(values -> assertThat(new String(values.get(0), UTF_8)).isEqualTo("2"))
          .satisfies(values -> assertThat(values.get(1)).isNull());
      assertThat(join(port.timeMicros())).isPositive();
    } finally {
      client.shutdown();
    }
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
  }
}
