package dev.ballast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisGuardTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private final AtomicLong now = new AtomicLong();
  private final Ticker ticker = now::get;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private RedisGuard guard;

  @BeforeEach
  void connect(RedisServer server) {
    client = server.newClient();
    connection = client.connect();
    connection.setTimeout(Duration.ofMillis(300));
    redis = connection.sync();
    guard = RedisGuard.create("test", RedisGuard.defaultBreaker("test", ticker), ticker, registry);
  }

  @AfterEach
  void disconnect() {
    connection.close();
    client.shutdown();
  }

  @Test
  void passesAnswersThroughWhileRedisIsUp() {
    redis.set("k", "v");
    assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("v");
    assertThat(guard.isDown()).isFalse();
    assertThat(registry.get("ballast.redis.up").tag("component", "test").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void servesTheFallbackDuringAnOutageCountsItOnceAndRecovers(RedisServer server) {
    server.stop();
    for (int i = 0; i < 20; i++) {
      assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("fallback");
    }
    assertThat(guard.isDown()).isTrue();
    assertThat(registry.get("ballast.redis.outages").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("ballast.redis.fallbacks").counter().count()).isEqualTo(20.0);
    assertThat(guard.breaker().state()).as("a dead Redis stops costing a timeout per call")
        .isEqualTo(CircuitBreaker.State.OPEN);
    double errorsWhileOpen = registry.get("ballast.redis.errors").counter().count();
    assertThat(errorsWhileOpen).isLessThan(20.0);

    server.start();
    now.addAndGet(Duration.ofSeconds(2).toNanos()); // past the breaker's open duration
    await().atMost(10, TimeUnit.SECONDS).ignoreExceptions()
        .until(() -> "PONG".equals(redis.ping()));
    redis.set("k", "back");
    assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("back");
    assertThat(guard.isDown()).isFalse();
    assertThat(registry.get("ballast.redis.outages").counter().count()).isEqualTo(1.0);
  }

  @Test
  void sporadicFailuresAreCountedAndServedButAreNoOutage() {
    redis.set("k", "v");
    int fallbacks = 0;
    for (int i = 0; i < 40; i++) {
      boolean blip = i % 10 == 0; // an injected fault on a healthy Redis: one call in ten
      String value = guard.call(() -> {
        if (blip) {
          throw new io.lettuce.core.RedisException("blip");
        }
        return redis.get("k");
      }, () -> "fallback");
      fallbacks += value.equals("fallback") ? 1 : 0;
    }
    assertThat(fallbacks).isEqualTo(4);
    assertThat(registry.get("ballast.redis.errors").counter().count()).isEqualTo(4.0);
    assertThat(registry.get("ballast.redis.outages").counter().count()).isZero();
    assertThat(guard.isDown()).isFalse();
  }

  @Test
  void asyncCallsFallBackInsteadOfFailing(RedisServer server) throws Exception {
    server.stop();
    String value = guard.callAsync(() -> connection.async().get("k"), () -> "fallback")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(value).isEqualTo("fallback");
    assertThat(registry.get("ballast.redis.errors").counter().count()).isEqualTo(1.0);
    assertThat(guard.isDown()).as("one failure is no outage").isFalse();
  }
}
