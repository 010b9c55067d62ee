package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An application executor that refuses work ({@link Workers#executor}: full, or shut down) costs the refused
 * jobs nothing: they go back to the queue with their attempt refunded, and the dispatcher backs off instead
 * of claiming the whole backlog into in-flight limbo, attempt after attempt, until it is dead-lettered
 * without ever having run.
 */
class ExecutorRefusalTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final Duration VISIBILITY = Duration.ofSeconds(30);
  static final int JOBS = 20;

  @Test
  void jobsAFullExecutorRefusedRunLaterOnTheirFirstAttemptAndNoneIsDeadLettered() throws Exception {
    AtomicInteger refusals = new AtomicInteger();
    // One thread and no queue: while the first job holds the thread, every other hand-off is refused.
    ThreadPoolExecutor app = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> new Thread(r, "app-worker"), (task, pool) -> {
          refusals.incrementAndGet();
          throw new RejectedExecutionException("full");
        });
    ManualTicker clock = new ManualTicker(TimeUnit.SECONDS.toNanos(1000));
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Map<String, Integer> attemptsThatRan = new ConcurrentHashMap<>();
    try (JobQueue queue = JobQueue.inMemory(QueueConfig.builder().name("refusal").ticker(clock::read)
        .maxAttempts(2).visibilityTimeout(VISIBILITY).pollInterval(Duration.ofMillis(20)).build())) {
      queue.declare(TEXT);
      queue.enqueue(TEXT, "holder");
      queue.register(TEXT, Workers.of(4).executor(app), job -> {
        if (job.payload().equals("holder")) {
          holding.countDown();
          release.await();
        }
        attemptsThatRan.merge(job.payload(), job.attempt(), Math::max);
      });
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < JOBS; i++) {
        queue.enqueue(TEXT, "job" + i);
      }
      // Each round: the refused jobs' visibility deadline (and, handed back, their delay) passes; a
      // dispatcher that left them in flight would take them back as a new attempt, then dead-letter them.
      for (int round = 0; round < 3; round++) {
        int before = refusals.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> refusals.get() > before);
        clock.advance(VISIBILITY.plusSeconds(1));
      }
      assertThat(queue.stats().dead()).as("dead letters while the executor was full").isZero();
      release.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        clock.advance(Duration.ofMillis(50)); // a handed-back job is ready again one poll interval later
        return attemptsThatRan.size() == JOBS + 1;
      });
      assertThat(queue.stats().dead()).isZero();
      attemptsThatRan.remove("holder"); // it overran its own visibility deadline: taken back, as it should be
      assertThat(attemptsThatRan).as("attempt each refused job ran on").hasSize(JOBS)
          .allSatisfy((payload, attempt) -> assertThat(attempt).as(payload).isEqualTo(1));
    } finally {
      app.shutdownNow();
    }
  }
}
