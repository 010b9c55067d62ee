package dev.ballast.benchmarks;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Pipeline;
import dev.ballast.core.Policy;
import dev.ballast.core.Retry;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import io.github.resilience4j.core.functions.CheckedSupplier;
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

/** Retry around a circuit breaker around the call, success path, composed the way each library composes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CompositionBenchmark {

  @Param({"baseline", "ballast", "resilience4j", "failsafe"})
  public String contender;

  private Operation operation;

  @Setup
  public void setUp() {
    Work work = new Work();
    operation = switch (contender) {
      case "baseline" -> work::call;
      case "ballast" -> {
        Policy policy = Pipeline.of(
            Retry.builder().maxAttempts(3).build(),
            CircuitBreaker.builder().name("bench").countWindow(100).build());
        yield () -> policy.call(work::call);
      }
      case "resilience4j" -> {
        io.github.resilience4j.retry.Retry retry = io.github.resilience4j.retry.Retry.of("bench",
            io.github.resilience4j.retry.RetryConfig.custom().maxAttempts(3)
                .intervalFunction(io.github.resilience4j.core.IntervalFunction.ofExponentialBackoff(
                    Duration.ofSeconds(1), 2.0))
                .build());
        io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
            io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench",
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom().slidingWindowSize(100).build());
        CheckedSupplier<Object> decorated = io.github.resilience4j.retry.Retry.decorateCheckedSupplier(retry,
            io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCheckedSupplier(breaker, work::call));
        yield () -> {
          try {
            return decorated.get();
          } catch (Throwable t) {
            throw new IllegalStateException(t);
          }
        };
      }
      case "failsafe" -> {
        FailsafeExecutor<Object> executor = Failsafe.with(
            RetryPolicy.builder().withMaxAttempts(3).withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(16)).build(),
            dev.failsafe.CircuitBreaker.builder().withFailureThreshold(50, 100).build());
        yield () -> executor.get(work::call);
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    };
  }

  @Benchmark
  public Object retryAroundBreaker() throws Exception {
    return operation.run();
  }
}
