package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.internal.SlidingTimeWindow;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SlidingTimeWindowTest {

  @Test
  void countsOnlyTheBucketsInsideTheWindow() {
    SlidingTimeWindow window = new SlidingTimeWindow(3, 100, 2);
    window.add(0, 0, 1);
    window.add(150, 0, 2);
    window.add(250, 1, 5);
    assertThat(window.sum(299, 0)).isEqualTo(3);
    assertThat(window.sum(300, 0)).as("the first bucket left the window").isEqualTo(2);
    long[] sums = new long[2];
    window.sums(400, sums);
    assertThat(sums).containsExactly(0, 5);
    window.add(1_000, 0, 7); // reuses a slot far in the future
    assertThat(window.sum(1_000, 0)).isEqualTo(7);
    assertThat(window.sum(1_000, 1)).isZero();
  }

  @Test
  void concurrentAddsWithinOneBucketAreAllCounted() throws Exception {
    SlidingTimeWindow window = new SlidingTimeWindow(10, 1_000, 1);
    int threads = 4;
    int perThread = 50_000;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < perThread; i++) {
          window.add(500, 0, 1);
        }
      });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(window.sum(500, 0)).isEqualTo((long) threads * perThread);
  }
}
