package dev.ballast.benchmarks;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * A local token bucket's permit-granted path: every contender holds a billion permits refilled at a
 * billion per second, so no call is ever refused and what is measured is the cost of granting one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimiterBenchmark {

  private static final int PERMITS = 1_000_000_000;

  /** The adapter for this benchmark: a primitive boolean, so no contender pays for boxing. */
  @FunctionalInterface
  interface Permit {
    boolean tryAcquire();
  }

  @Param({"baseline", "ballast", "bucket4j", "resilience4j", "guava", "failsafe"})
  public String contender;

  private Permit permit;

  @Setup
  public void setUp() {
    permit = switch (contender) {
      case "baseline" -> () -> true;
      case "ballast" -> {
        dev.ballast.core.RateLimiter limiter = dev.ballast.core.RateLimiter.builder()
            .capacity(PERMITS).refill(PERMITS, Duration.ofSeconds(1)).build();
        yield () -> limiter.tryAcquireOrNanosToWait(1) == 0;
      }
      case "bucket4j" -> {
        Bucket bucket = Bucket.builder()
            .addLimit(Bandwidth.builder().capacity(PERMITS).refillGreedy(PERMITS, Duration.ofSeconds(1)).build())
            .build();
        yield () -> bucket.tryConsume(1);
      }
      case "resilience4j" -> {
        io.github.resilience4j.ratelimiter.RateLimiter limiter = io.github.resilience4j.ratelimiter.RateLimiter.of(
            "bench", io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                .limitForPeriod(PERMITS).limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO)
                .build());
        yield limiter::acquirePermission;
      }
      case "guava" -> {
        com.google.common.util.concurrent.RateLimiter limiter =
            com.google.common.util.concurrent.RateLimiter.create(PERMITS);
        yield limiter::tryAcquire;
      }
      case "failsafe" -> {
        dev.failsafe.RateLimiter<Object> limiter =
            dev.failsafe.RateLimiter.burstyBuilder(PERMITS, Duration.ofSeconds(1)).build();
        yield limiter::tryAcquirePermit;
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    };
  }

  @Benchmark
  public boolean granted() {
    return permit.tryAcquire();
  }

  @Benchmark
  @Threads(2)
  public boolean granted2Threads() {
    return permit.tryAcquire();
  }
}
