package dev.ballast.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.Rate;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The Lua twin of core's GCRA against a real Redis with a manual clock (read in whole microseconds, as
 * Redis TIME is): three instances sharing one bucket decide exactly as core's local {@link RateLimiter}
 * does for the same calls at the same times (granted or not, and the same nanoseconds to wait), for rates
 * whose scaled arithmetic is exact and for clamped ones; and never grant more than
 * {@code burst + rate × window} in any window.
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

  @Property(tries = 60)
  void theLuaScriptAndTheJavaArithmeticAgreeAndNeverExceedTheQuota(
      @ForAll @IntRange(min = 1, max = 20) int burst,
      @ForAll @IntRange(min = 1, max = 9001) int permitsPerPeriod,
      @ForAll @IntRange(min = 1, max = 3000) int periodMillis,
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 3599) Integer> steps) {
    Rate rate = new Rate(permitsPerPeriod, Duration.ofMillis(periodMillis), burst);
    ManualTicker now = new ManualTicker(TimeUnit.SECONDS.toNanos(1_000_000));
    String name = "prop" + names.incrementAndGet() + "-" + System.nanoTime();
    List<DistributedRateLimiter> instances = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      instances.add(DistributedRateLimiter.builder().name(name).rate(rate).redis(client).instances(3)
          .ticker(now::read).redisTimeout(Duration.ofSeconds(2)).build());
    }
    RateLimiter reference = RateLimiter.builder().name("reference").rate(rate).ticker(now::read).build();
    List<long[]> grants = new ArrayList<>(); // {time, permits}
    try {
      for (int step : steps) {
        int permits = 1 + Math.min(step % 3, burst - 1);
        long advanceMicros = (step / 3 % 400) * 997L * periodMillis / 1000;
        DistributedRateLimiter instance = instances.get(step / 1200);
        now.advanceNanos(TimeUnit.MICROSECONDS.toNanos(advanceMicros));
        long result = instance.tryAcquireOrNanosToWait(permits);
        long expected = reference.tryAcquireOrNanosToWait(permits);
        assertThat(instance.isFallingBack()).isFalse();
        assertThat(result).as("Lua vs Java at %d ns, %d permits of %s", now.read(), permits, rate)
            .isEqualTo(expected);
        assertThat(instance.availablePermits()).isEqualTo(reference.availablePermits());
        if (result == 0) {
          grants.add(new long[] {now.read(), permits});
        }
      }
    } finally {
      instances.forEach(DistributedRateLimiter::close);
    }
    double perNano = permitsPerPeriod / (periodMillis * 1e6);
    for (int i = 0; i < grants.size(); i++) {
      long sum = 0;
      for (int j = i; j < grants.size(); j++) {
        sum += grants.get(j)[1];
        double window = grants.get(j)[0] - grants.get(i)[0];
        assertThat((double) sum).isLessThanOrEqualTo(burst + perNano * window + 1e-9);
      }
    }
  }
}
