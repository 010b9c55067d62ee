package dev.ballast.benchmarks;

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

/**
 * A retry's success path: the call succeeds at the first attempt, which is what a retry costs almost
 * always. Each contender is configured alike: 3 attempts, exponential backoff, retry on any exception.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RetryBenchmark {

  @Param({"baseline", "ballast", "resilience4j", "failsafe"})
  public String contender;

  private Operation operation;

  @Setup
  public void setUp() {
    Work work = new Work();
    operation = switch (contender) {
      case "baseline" -> work::call;
      case "ballast" -> {
        Retry retry = Retry.builder().maxAttempts(3).build();
        yield () -> retry.call(work::call);
      }
      case "resilience4j" -> Peers.operation(
          io.github.resilience4j.retry.Retry.decorateCheckedSupplier(Peers.resilience4jRetry(), work::call));
      case "failsafe" -> {
        FailsafeExecutor<Object> executor = Failsafe.with(Peers.failsafeRetry());
        yield () -> executor.get(work::call);
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    };
  }

  @Benchmark
  public Object successPath() throws Exception {
    return operation.run();
  }
}
