package dev.ballast.benchmarks;

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
 * A bulkhead's permit path, acquire then release around no work, with room to spare (1000 slots) so no
 * call is refused: Ballast's {@code Bulkhead}, Resilience4j's semaphore bulkhead and Failsafe's bulkhead
 * through their primitives, each with no wait.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BulkheadBenchmark {

  private static final int SLOTS = 1000;

  /** The adapter: acquire, then release if granted. */
  @FunctionalInterface
  interface Permit {
    boolean acquireAndRelease();
  }

  @Param({"baseline", "ballast", "resilience4j", "failsafe"})
  public String contender;

  private Permit permit;

  @Setup
  public void setUp() {
    permit = switch (contender) {
      case "baseline" -> () -> true;
      case "ballast" -> {
        dev.ballast.core.Bulkhead bulkhead = dev.ballast.core.Bulkhead.builder().maxConcurrentCalls(SLOTS).build();
        yield () -> {
          if (!bulkhead.tryAcquire()) {
            return false;
          }
          bulkhead.release();
          return true;
        };
      }
      case "resilience4j" -> {
        io.github.resilience4j.bulkhead.Bulkhead bulkhead = io.github.resilience4j.bulkhead.Bulkhead.of("bench",
            io.github.resilience4j.bulkhead.BulkheadConfig.custom().maxConcurrentCalls(SLOTS)
                .maxWaitDuration(Duration.ZERO).build());
        yield () -> {
          if (!bulkhead.tryAcquirePermission()) {
            return false;
          }
          bulkhead.onComplete();
          return true;
        };
      }
      case "failsafe" -> {
        dev.failsafe.Bulkhead<Object> bulkhead = dev.failsafe.Bulkhead.builder(SLOTS).build();
        yield () -> {
          if (!bulkhead.tryAcquirePermit()) {
            return false;
          }
          bulkhead.releasePermit();
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
