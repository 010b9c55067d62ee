package dev.ballast.benchmarks;

import dev.ballast.core.CircuitBreaker;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * A closed circuit breaker's success path, wrapping a call (each contender measures the call's duration
 * for slow-call detection, as its defaults do) and through the bare primitives (permission + success).
 * Each contender uses a count window of 100 calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CircuitBreakerBenchmark {

  @Param({"baseline", "ballast", "resilience4j", "failsafe"})
  public String contender;

  private Operation call;
  private Operation primitives;

  @Setup
  public void setUp() {
    Work work = new Work();
    switch (contender) {
      case "baseline" -> {
        call = work::call;
        primitives = work::call;
      }
      case "ballast" -> {
        CircuitBreaker breaker = CircuitBreaker.builder().name("bench").countWindow(100).build();
        call = () -> breaker.call(work::call);
        primitives = () -> {
          if (!breaker.tryAcquirePermission()) {
            throw new IllegalStateException("open");
          }
          Object result = work.call();
          breaker.onSuccess(1);
          return result;
        };
      }
      case "resilience4j" -> {
        io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = Peers.resilience4jBreaker();
        call = Peers.operation(
            io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCheckedSupplier(breaker, work::call));
        primitives = () -> {
          breaker.acquirePermission();
          Object result = work.call();
          breaker.onSuccess(1, TimeUnit.NANOSECONDS);
          return result;
        };
      }
      case "failsafe" -> {
        dev.failsafe.CircuitBreaker<Object> breaker = Peers.failsafeBreaker();
        FailsafeExecutor<Object> executor = Failsafe.with(breaker);
        call = () -> executor.get(work::call);
        primitives = () -> {
          if (!breaker.tryAcquirePermit()) {
            throw new IllegalStateException("open");
          }
          Object result = work.call();
          breaker.recordSuccess();
          return result;
        };
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    }
  }

  @Benchmark
  public Object call() throws Exception {
    return call.run();
  }

  @Benchmark
  @Threads(2)
  public Object call2Threads() throws Exception {
    return call.run();
  }

  @Benchmark
  public Object primitives() throws Exception {
    return primitives.run();
  }

  @Benchmark
  @Threads(2)
  public Object primitives2Threads() throws Exception {
    return primitives.run();
  }
}
