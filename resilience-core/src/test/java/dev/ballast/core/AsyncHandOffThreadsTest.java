package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.internal.SharedScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a timer starts (a timeout's completion, a delayed retry, a rate-limit wait's action) runs on
 * Ballast's bounded async pool. {@code CompletableFuture.runAsync(task)} ran it on the common pool, which
 * on a machine with two cores or fewer (parallelism 1) means a new unnamed thread per task: these tests
 * then saw {@code Thread-N} names and hundreds of threads, and on a larger machine
 * {@code ForkJoinPool.commonPool-worker-N}; both fail the name check.
 */
class AsyncHandOffThreadsTest {

  private static final String POOL = "ballast-async-";

  @Test
  void aTimeoutCompletesItsCallerOnABallastThread() throws Exception {
    Timeout timeout = Timeout.builder().name("threads").limit(Duration.ofMillis(10)).build();
    CompletableFuture<String> thread = timeout.callAsync(() -> new CompletableFuture<String>())
        .handle((result, error) -> Thread.currentThread().getName()).toCompletableFuture();
    assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith(POOL);
  }

  @Test
  void aDelayedRetryRunsItsNextAttemptOnABallastThread() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    AtomicReference<String> secondAttempt = new AtomicReference<>();
    Retry retry = Retry.builder().maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(1))).build();
    CompletableFuture<String> result = retry.<String>callAsync(() -> {
      if (attempts.incrementAndGet() == 1) { // on the caller's thread
        return CompletableFuture.failedFuture(new IOException("the first attempt fails"));
      }
      secondAttempt.set(Thread.currentThread().getName()); // after the backoff
      return CompletableFuture.completedFuture("ok");
    }).toCompletableFuture();
    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(secondAttempt.get()).startsWith(POOL);
  }

  @Test
  void aRateLimitWaitRunsTheActionOnABallastThread() throws Exception {
    RateLimiter limiter = RateLimiter.builder().name("threads").capacity(1).refill(1, Duration.ofMillis(20))
        .maxWait(Duration.ofSeconds(5)).build();
    assertThat(limiter.tryAcquire()).isTrue(); // the next permit is ~20 ms away: callAsync must wait
    CompletableFuture<String> thread = limiter.callAsync(
        () -> CompletableFuture.completedFuture(Thread.currentThread().getName())).toCompletableFuture();
    assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith(POOL);
  }

  /** Many hand-offs at once share the pool's few threads instead of starting one each. */
  @Test
  void handOffsShareABoundedPoolOfBallastThreads() throws Exception {
    int tasks = 200;
    Set<String> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch ran = new CountDownLatch(tasks);
    for (int i = 0; i < tasks; i++) {
      SharedScheduler.runLater(SharedScheduler.get(), 0, () -> {
        threads.add(Thread.currentThread().getName());
        ran.countDown();
      });
    }
    assertThat(ran.await(10, TimeUnit.SECONDS)).as("every task ran").isTrue();
    assertThat(threads).allSatisfy(name -> assertThat(name).startsWith(POOL));
    assertThat(threads).hasSizeLessThanOrEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
  }
}
