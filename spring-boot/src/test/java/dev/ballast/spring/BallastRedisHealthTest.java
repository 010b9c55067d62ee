package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Redis down is a detail of the {@code ballast} health contributor, never DOWN: every component has a fallback. */
class BallastRedisHealthTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  @Test
  @SuppressWarnings("unchecked")
  void redisDownIsADetailAndTheStatusStaysUp(RedisServer redis) {
    assumeFalse(redis.isExternal(), "stops the server");
    RedisClient client = RedisClient.create(redis.uri());
    try {
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
          .withBean(RedisClient.class, () -> client).withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withPropertyValues("ballast.caches.products.ttl=10m", "ballast.caches.products.redisTimeout=100ms",
              "ballast.cache-manager.enabled=true")
          .run(context -> {
            HealthIndicator health = context.getBean("ballastHealthIndicator", HealthIndicator.class);
            org.springframework.cache.Cache products = context.getBean(org.springframework.cache.CacheManager.class)
                .getCache("products");
            assertThat(products.get("p1", () -> "v1")).isEqualTo("v1");
            Health up = health.health();
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat((Map<String, String>) up.getDetails().get("redis")).containsEntry("cache:products", "up");
            assertThat(up.getDetails()).doesNotContainKey("redisDown");

            redis.stop();
            try {
              // The guard learns of the outage from the cache's own calls (each served from the loader meanwhile).
              Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                assertThat(products.get("p" + System.nanoTime(), () -> "fallback")).isEqualTo("fallback");
                return health.health().getDetails().containsKey("redisDown");
              });
              Health down = health.health();
              assertThat(down.getStatus()).isEqualTo(Status.UP);
              assertThat((Map<String, String>) down.getDetails().get("redis")).containsEntry("cache:products", "down");
              assertThat(down.getDetails().get("redisDown")).isEqualTo(java.util.List.of("cache:products"));
            } finally {
              redis.start();
            }
          });
    } finally {
      client.shutdown();
    }
  }
}
