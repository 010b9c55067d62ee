package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real threads against one bucket: no permit is granted twice, none is lost. */
class RateLimiterConcurrencyTest {

  private static final int THREADS = 4;
  private static final int CAPACITY = 10_000;

  @Test
  void fourThreadsOnAFrozenClockGetExactlyTheCapacityBetweenThem() throws Exception {
    RateLimiter limiter = RateLimiter.builder()
        .capacity(CAPACITY).refill(1, Duration.ofSeconds(1)).ticker(() -> 42L).build();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        results.add(pool.submit(() -> {
          int grants = 0;
          start.await();
          for (int i = 0; i < CAPACITY; i++) { // each thread alone could take the whole bucket
            if (limiter.tryAcquireOrNanosToWait(1) == 0) {
              grants++;
            }
          }
          return grants;
        }));
      }
      start.countDown();
      int granted = 0;
      for (Future<Integer> result : results) {
        granted += result.get(30, TimeUnit.SECONDS);
      }
      // Neither granted twice (a lost CAS) nor lost (a refusal while permits were left on a frozen clock).
      assertThat(granted).isEqualTo(CAPACITY);
      assertThat(limiter.availablePermits()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentMultiPermitRequestsNeverOvershootTheCapacity() throws Exception {
    RateLimiter limiter = RateLimiter.builder()
        .capacity(CAPACITY).refill(1, Duration.ofSeconds(1)).ticker(() -> 0L).build();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int permits = t + 1;
        results.add(pool.submit(() -> {
          long taken = 0;
          start.await();
          for (int i = 0; i < CAPACITY; i++) {
            if (limiter.tryAcquire(permits)) {
              taken += permits;
            }
          }
          return taken;
        }));
      }
      start.countDown();
      long total = 0;
      for (Future<Long> result : results) {
        total += result.get(30, TimeUnit.SECONDS);
      }
      assertThat(total + limiter.availablePermits()).isEqualTo(CAPACITY);
      assertThat(limiter.availablePermits()).isLessThan(1); // the 1-permit thread drains the rest
    } finally {
      pool.shutdownNow();
    }
  }
}
