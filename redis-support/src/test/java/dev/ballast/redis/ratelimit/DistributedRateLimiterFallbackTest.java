package dev.ballast.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Rate;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The distributed limiter when its Redis freezes: local share meanwhile, back to Redis by itself. */
class DistributedRateLimiterFallbackTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  @Test
  void buildsOnItsLocalShareWhenRedisIsDownAtStartAndConnectsLater(RedisServer server) {
    RedisClient client = server.newClient();
    server.stop();
    try (DistributedRateLimiter limiter = DistributedRateLimiter.builder().name("late").rate(new Rate(4, Duration.ofHours(1), 400))
        .redis(client).instances(4).redisTimeout(Duration.ofMillis(100)).build()) {
      int local = 0;
      for (int i = 0; i < 300; i++) {
        local += limiter.tryAcquire() ? 1 : 0;
      }
      assertThat(limiter.isFallingBack()).isTrue();
      assertThat(local).isEqualTo(100); // this instance's quarter of the burst, nothing from Redis

      server.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        limiter.tryAcquire();
        return !limiter.isFallingBack();
      });
      int shared = 0;
      for (int i = 0; i < 500; i++) {
        shared += limiter.tryAcquire() ? 1 : 0;
      }
      assertThat(limiter.isFallingBack()).isFalse();
      assertThat(shared).isBetween(350, 400); // the fleet's bucket, less the probes that reached it
    } finally {
      client.shutdown();
    }
  }

  @Test
  void backgroundConnectsRunOnTheBuildersExecutorAndNoThreadOfItsOwn(RedisServer server) {
    RedisClient client = server.newClient();
    server.stop();
    AtomicInteger attempts = new AtomicInteger();
    Executor counting = task -> {
      attempts.incrementAndGet();
      task.run(); // on the caller: the attempt fails at once against a stopped server
    };
    try (DistributedRateLimiter limiter = DistributedRateLimiter.builder().name("own-executor")
        .rate(new Rate(4, Duration.ofHours(1), 4)).redis(client).executor(counting)
        .redisTimeout(Duration.ofMillis(100)).build()) {
      assertThat(attempts).as("build() tries once itself, on its caller").hasValue(0);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        limiter.tryAcquire(); // a call without a connection starts at most one attempt a second
        return attempts.get() >= 2;
      });
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().contains("own-executor"));
      server.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        limiter.tryAcquire();
        return !limiter.isFallingBack();
      });
    } finally {
      client.shutdown();
    }
  }

  @Test
  void fallsBackToThisInstancesShareWhileRedisIsPausedAndRecovers(RedisServer server) {
    RedisClient client = server.newClient();
    try (DistributedRateLimiter limiter = DistributedRateLimiter.builder().name("api").rate(new Rate(4, Duration.ofHours(1), 400))
        .redis(client).instances(4).redisTimeout(Duration.ofMillis(100)).build()) {
      int granted = 0;
      for (int i = 0; i < 10; i++) {
        granted += limiter.tryAcquire() ? 1 : 0;
      }
      assertThat(granted).isEqualTo(10);
      assertThat(limiter.isFallingBack()).isFalse();

      server.pause();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        limiter.tryAcquire();
        return limiter.isFallingBack();
      });
      // The local bucket holds this instance's quarter of the burst (100), of which a few went above.
      int local = 0;
      for (int i = 0; i < 300; i++) {
        local += limiter.tryAcquire() ? 1 : 0;
      }
      assertThat(limiter.isFallingBack()).isTrue();
      assertThat(local).isBetween(50, 100);

      server.resume();
      await().atMost(Duration.ofSeconds(15)).until(() -> {
        limiter.tryAcquire();
        return !limiter.isFallingBack();
      });
      // Back on the shared bucket: 400 minus what Redis granted so far (10 before, a few probes after).
      int shared = 0;
      for (int i = 0; i < 500; i++) {
        shared += limiter.tryAcquire() ? 1 : 0;
      }
      assertThat(shared).isBetween(350, 390);
      assertThat(limiter.isFallingBack()).isFalse();
    } finally {
      client.shutdown();
    }
  }
}
