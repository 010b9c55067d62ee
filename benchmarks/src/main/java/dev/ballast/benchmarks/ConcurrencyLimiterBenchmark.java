package dev.ballast.benchmarks;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.ballast.core.ConcurrencyLimitAlgorithm;
import dev.ballast.core.ConcurrencyLimiter;
import java.time.Duration;
import java.util.Optional;
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
 * An adaptive concurrency limiter's acquire and release (a success sample that updates the limit), with
 * the same algorithm on both sides: AIMD, limit 1000 (never reached), backoff 0.9, a latency threshold
 * of 5 s that no call reaches. Ballast's primitives ({@code tryAcquire} / {@code onSuccess}) against
 * Netflix concurrency-limits 0.5.4's {@code SimpleLimiter} ({@code acquire} / {@code Listener.onSuccess}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConcurrencyLimiterBenchmark {

  /** The adapter: acquire, then report success if granted. */
  @FunctionalInterface
  interface Permit {
    boolean acquireAndRelease();
  }

  @Param({"baseline", "ballast", "netflix"})
  public String contender;

  private Permit permit;

  @Setup
  public void setUp() {
    permit = switch (contender) {
      case "baseline" -> () -> true;
      case "ballast" -> {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.builder()
            .algorithm(new ConcurrencyLimitAlgorithm.Aimd(Duration.ofSeconds(5), 0.9))
            .limits(1000, 1, 1000).build();
        yield () -> {
          long token = limiter.tryAcquire(0);
          if (token == ConcurrencyLimiter.REJECTED) {
            return false;
          }
          limiter.onSuccess(0, token);
          return true;
        };
      }
      case "netflix" -> {
        SimpleLimiter<Void> limiter = SimpleLimiter.newBuilder()
            .limit(AIMDLimit.newBuilder().initialLimit(1000).minLimit(1).maxLimit(1000).backoffRatio(0.9)
                .timeout(5, TimeUnit.SECONDS).build())
            .build();
        yield () -> {
          Optional<Limiter.Listener> listener = limiter.acquire(null);
          if (listener.isEmpty()) {
            return false;
          }
          listener.get().onSuccess();
          return true;
        };
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    };
  }

  @Benchmark
  public boolean acquireRelease() {
    return permit.acquireAndRelease();
  }

  @Benchmark
  @Threads(2)
  public boolean acquireRelease2Threads() {
    return permit.acquireAndRelease();
  }
}
