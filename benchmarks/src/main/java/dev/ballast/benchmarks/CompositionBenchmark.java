package dev.ballast.benchmarks;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Pipeline;
import dev.ballast.core.Policy;
import dev.ballast.core.Retry;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
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
      case "resilience4j" -> Peers.operation(io.github.resilience4j.retry.Retry.decorateCheckedSupplier(
          Peers.resilience4jRetry(),
          io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCheckedSupplier(
              Peers.resilience4jBreaker(), work::call)));
      case "failsafe" -> {
        FailsafeExecutor<Object> executor = Failsafe.with(Peers.failsafeRetry(), Peers.failsafeBreaker());
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
