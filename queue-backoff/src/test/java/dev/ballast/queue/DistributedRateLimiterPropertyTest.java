package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.RateLimiter;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The distributed limiter against a real Redis with a manual clock: three instances sharing one bucket
 * never grant more than {@code capacity + rate × window} in any window, and decide exactly as core's local
 * GCRA {@link RateLimiter} does for the same calls at the same times.
 */
class DistributedRateLimiterPropertyTest {

  static RedisServer server;
  static RedisClient client;
  static final AtomicInteger names = new AtomicInteger();

  @BeforeContainer
  static void launch() {
    server = RedisServer.fromEnvironment();
    client = server.newClient();
  }

  @AfterContainer
  static void stop() {
    client.shutdown();
    server.close();
  }

  @Property(tries = 40)
  void instancesTogetherNeverExceedTheQuotaInAnyWindow(
      @ForAll @IntRange(min = 1, max = 20) int capacity,
      @ForAll @IntRange(min = 1, max = 50) int perSecond,
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 3599) Integer> steps) {
    AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1_000_000));
    String name = "prop" + names.incrementAndGet() + "-" + System.nanoTime();
    List<DistributedRateLimiter> instances = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      instances.add(DistributedRateLimiter.builder().name(name).capacity(capacity)
          .refill(perSecond, Duration.ofSeconds(1)).redis(client).instances(3).testClock(now::get)
          .redisTimeout(Duration.ofSeconds(2)).build());
    }
    RateLimiter reference = RateLimiter.builder().name("reference").capacity(capacity)
        .refill(perSecond, Duration.ofSeconds(1)).ticker(now::get).build();
    List<long[]> grants = new ArrayList<>(); // {time, permits}
    try {
      for (int step : steps) {
        int permits = 1 + Math.min(step % 3, capacity - 1);
        long advanceMicros = (step / 3 % 400) * 997L;
        DistributedRateLimiter instance = instances.get(step / 1200);
        now.addAndGet(TimeUnit.MICROSECONDS.toNanos(advanceMicros));
        long result = instance.tryAcquire(permits);
        long expected = reference.tryAcquire(permits);
        assertThat(instance.isFallingBack()).isFalse();
        assertThat(RateLimiter.isGranted(result)).isEqualTo(RateLimiter.isGranted(expected));
        if (RateLimiter.isGranted(result)) {
          assertThat(RateLimiter.remainingPermits(result)).isEqualTo(RateLimiter.remainingPermits(expected));
          grants.add(new long[] {now.get(), permits});
        } else {
          long expectedMicros = (RateLimiter.nanosToWait(expected) + 999) / 1000;
          assertThat(RateLimiter.nanosToWait(result)).isEqualTo(expectedMicros * 1000);
        }
      }
    } finally {
      instances.forEach(DistributedRateLimiter::close);
    }
    for (int i = 0; i < grants.size(); i++) {
      long sum = 0;
      for (int j = i; j < grants.size(); j++) {
        sum += grants.get(j)[1];
        double window = (grants.get(j)[0] - grants.get(i)[0]) / 1e9;
        assertThat((double) sum).isLessThanOrEqualTo(capacity + perSecond * window + 1e-9);
      }
    }
  }
}
