package dev.ballast.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Rate;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A limiter key that holds garbage or another type is repaired by the next grant, not a failure per call. */
@ExtendWith(RedisExtension.class)
class DistributedRateLimiterCorruptStateTest {

  RedisClient client;
  StatefulRedisConnection<String, String> raw;

  @BeforeEach
  void connect(RedisServer server) {
    client = server.newClient();
    raw = client.connect();
  }

  @AfterEach
  void disconnect() {
    raw.close();
    client.shutdown();
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "12 x", "hash"})
  void unreadableStateIsAFullBucketAndIsOverwritten(String corruption) {
    String name = "corrupt-" + corruption.replace(' ', '-');
    String key = "{ballast:limiter:" + name + "}";
    if (corruption.equals("hash")) {
      raw.sync().hset(key, "a", "b");
    } else {
      raw.sync().set(key, corruption);
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (DistributedRateLimiter limiter = DistributedRateLimiter.builder().name(name).rate(new Rate(5, Duration.ofHours(1), 5))
        .redis(client).meterRegistry(meters).build()) {
      for (int i = 0; i < 5; i++) {
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.isFallingBack()).isFalse();
      }
      assertThat(limiter.tryAcquire()).isFalse(); // the shared bucket decides again: empty now
      assertThat(limiter.isFallingBack()).isFalse();
    }
    assertThat(raw.sync().type(key)).isEqualTo("string");
    assertThat(meters.find("ballast.redis.errors").counters()).isEmpty();
  }
}
