package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
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
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        results.add(pool.submit(() -> {
          List<Long> remainders = new ArrayList<>();
          start.await();
          for (int i = 0; i < CAPACITY; i++) { // each thread alone could take the whole bucket
            long result = limiter.tryAcquire(1);
            if (RateLimiter.isGranted(result)) {
              remainders.add(result);
            }
          }
          return remainders;
        }));
      }
      start.countDown();
      BitSet seen = new BitSet(CAPACITY);
      int granted = 0;
      for (Future<List<Long>> result : results) {
        for (long remaining : result.get(30, TimeUnit.SECONDS)) {
          assertThat(seen.get((int) remaining)).as("remaining %d reported twice", remaining).isFalse();
          seen.set((int) remaining);
          granted++;
        }
      }
      assertThat(granted).isEqualTo(CAPACITY);
      // Every grant saw a distinct "remaining": the grants are linearized, one CAS each.
      assertThat(seen.cardinality()).isEqualTo(CAPACITY);
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
            if (RateLimiter.isGranted(limiter.tryAcquire(permits))) {
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
