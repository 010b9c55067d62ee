package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The simulation's shape with real threads: 60 callers (10x) against a real bottleneck, a fair pool of 6
 * "connections" each held 20 ms per call. Without a limit every caller queues for the pool; with the
 * gradient limiter the queue stays short and the excess is refused at once. Assertions are relative
 * (limited vs unlimited in the same test) and generous, so a loaded machine slows both alike.
 */
class ConcurrencyLimiterRealPoolTest {

  private static final int CONNECTIONS = 6;
  private static final int CALLERS = 60;
  private static final long SERVICE_MILLIS = 20;

  record Run(double p95Millis, long completed, long rejected, int finalLimit) {}

  @Test
  void theLimiterKeepsAcceptedLatencyLowAndRefusesTheExcessFast() throws Exception {
    Run unlimited = run(null);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().name("pool").limits(20, 1, 200).build();
    Run limited = run(limiter);
    System.out.printf("unlimited %s%nlimited   %s%n", unlimited, limited);

    assertThat(limited.rejected()).as("the excess is shed").isPositive();
    assertThat(limited.finalLimit()).as("the limit came down towards the 6 connections").isLessThan(CALLERS / 2);
    assertThat(limited.p95Millis()).as("accepted p95, limited %s vs unlimited %s", limited, unlimited)
        .isLessThan(unlimited.p95Millis() / 2);
    assertThat(limited.completed()).as("goodput stays near the unlimited run's (the pool stays busy)")
        .isGreaterThan(unlimited.completed() * 6 / 10);
  }

  private static Run run(ConcurrencyLimiter limiter) throws Exception {
    Semaphore pool = new Semaphore(CONNECTIONS, true);
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong completed = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    try {
      for (int i = 0; i < CALLERS; i++) {
        callers.execute(() -> {
          while (!stop.get()) {
            long start = System.nanoTime();
            long token = limiter == null ? 0 : limiter.tryAcquire(0);
            if (token == ConcurrencyLimiter.REJECTED) {
              rejected.incrementAndGet();
              pause(2); // the refused caller's think time, so refusals do not spin the CPU
              continue;
            }
            try {
              if (!pool.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the pool never freed a connection");
              }
              try {
                pause(SERVICE_MILLIS); // the database's work, not a wait for a condition
              } finally {
                pool.release();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            } finally {
              if (limiter != null) {
                limiter.onSuccess(0, token);
              }
            }
            if (measuring.get()) {
              completed.incrementAndGet();
              latencies.add(System.nanoTime() - start);
            }
          }
        });
      }
      pause(1_500); // learning: the first minRtt probe and the descent from the initial limit
      measuring.set(true);
      pause(2_000);
      measuring.set(false);
      stop.set(true);
    } finally {
      callers.shutdown();
      assertThat(callers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    double p95 = sorted.get((int) (sorted.size() * 0.95)) / 1e6;
    return new Run(p95, completed.get(), rejected.get(), limiter == null ? -1 : limiter.limit());
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
