package dev.ballast.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs clients that each send requests at a fixed pace (so a failing provider is not hammered faster
 * than real users would) against a checkout for a fixed time, and collects what they saw.
 */
final class LoadDriver {

  private final int clients;
  private final long intervalNanos;
  private final Duration duration;

  LoadDriver(int clients, int requestsPerSecond, Duration duration) {
    this.clients = clients;
    this.intervalNanos = 1_000_000_000L * clients / requestsPerSecond;
    this.duration = duration;
  }

  PhaseReport run(Demo.Checkout checkout) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch start = new CountDownLatch(1);
    long end = System.nanoTime() + duration.toNanos();
    List<Future<PhaseReport>> results = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      results.add(pool.submit(() -> {
        PhaseReport report = new PhaseReport();
        start.await();
        int order = client * 1_000_000;
        // Spread the clients' first requests over one interval, then keep each on its own beat.
        long next = System.nanoTime() + intervalNanos * client / clients;
        while (next < end) {
          LockSupport.parkNanos(next - System.nanoTime());
          next += intervalNanos;
          long began = System.nanoTime();
          try {
            String answer = checkout.pay(order++);
            report.record(System.nanoTime() - began, answer.startsWith("receipt") ? PhaseReport.Outcome.PAID
                : PhaseReport.Outcome.DEGRADED);
          } catch (Exception e) {
            report.record(System.nanoTime() - began, PhaseReport.Outcome.ERROR);
          }
        }
        return report;
      }));
    }
    start.countDown();
    PhaseReport total = new PhaseReport();
    for (Future<PhaseReport> result : results) {
      total.add(result.get());
    }
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    return total;
  }
}
