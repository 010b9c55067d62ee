package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Backoff;
import dev.ballast.testsupport.ManualTicker;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code ballast.queue.*} meters, on the in-memory backend with a manual clock. */
class QueueMetricsTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());

  final ManualTicker clock = new ManualTicker(TimeUnit.SECONDS.toNanos(1000));
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  double gauge(String name, String... tags) {
    return registry.get(name).tag("queue", "m").tags(tags).gauge().value();
  }

  double counter(String name) {
    return registry.get(name).tags("queue", "m", "type", "text").counter().count();
  }

  @Test
  void depthsAgeCountersAndHandlerTime() {
    try (JobQueue q = JobQueue.inMemory(QueueConfig.builder().name("m").meterRegistry(registry).ticker(clock::read)
        .pollInterval(Duration.ofMillis(5)).maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(1))).build())) {
      q.declare(TEXT);
      q.enqueue(TEXT, "a", JobOptions.builder().priority(0).build());
      q.enqueue(TEXT, "b", JobOptions.builder().priority(2).build());
      q.enqueue(TEXT, "fail", JobOptions.builder().priority(2).build());
      q.enqueue(TEXT, "later", JobOptions.builder().delay(Duration.ofHours(1)).build());
      clock.advance(Duration.ofSeconds(10));
      assertThat(gauge("ballast.queue.ready", "priority", "0")).isEqualTo(1);
      assertThat(gauge("ballast.queue.ready", "priority", "1")).isEqualTo(0);
      assertThat(gauge("ballast.queue.ready", "priority", "2")).isEqualTo(2);
      assertThat(gauge("ballast.queue.delayed")).isEqualTo(1);
      assertThat(gauge("ballast.queue.oldest.age")).isEqualTo(10.0);
      assertThat(gauge("ballast.queue.workers.needed")).isEqualTo(0.0); // no handler time measured yet

      q.register(TEXT, Workers.of(1), job -> {
        if (job.payload().equals("fail")) {
          throw new IllegalStateException("no");
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        clock.advance(Duration.ofMillis(1)); // the retry's 1 ms backoff passes
        return counter("ballast.queue.dead.lettered") == 1;
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> counter("ballast.queue.processed") == 2);
      assertThat(counter("ballast.queue.failed")).isEqualTo(2);
      assertThat(counter("ballast.queue.retried")).isEqualTo(1);
      assertThat(registry.get("ballast.queue.handler.duration").tags("queue", "m", "type", "text").timer().count())
          .isEqualTo(4);
      clock.advance(Duration.ofSeconds(1));
      assertThat(gauge("ballast.queue.dead")).isEqualTo(1);
      assertThat(gauge("ballast.queue.ready", "priority", "2")).isEqualTo(0);
      assertThat(gauge("ballast.queue.inflight")).isEqualTo(0);
      for (Meter meter : registry.getMeters()) {
        if (meter.getId().getName().startsWith("ballast.queue")) {
          assertThat(meter.getId().getTags()).allMatch(t -> t.getKey().equals("queue") || t.getKey().equals("type")
              || t.getKey().equals("priority"));
        }
      }
    }
  }

  /**
   * {@code failed} counts the failed attempts the queue recorded (a retry scheduled or the job
   * dead-lettered), as {@code processed} counts only acknowledged jobs: an attempt whose job was already
   * taken back (its visibility deadline passed and another worker runs it) is not counted when its
   * handler fails late.
   */
  @Test
  void aLateFailureOfAJobAlreadyTakenBackIsNotCountedAsFailed() throws Exception {
    java.util.concurrent.CountDownLatch secondStarted = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch firstFailed = new java.util.concurrent.CountDownLatch(1);
    try (JobQueue q = JobQueue.inMemory(QueueConfig.builder().name("m").meterRegistry(registry).ticker(clock::read)
        .pollInterval(Duration.ofMillis(5)).visibilityTimeout(Duration.ofSeconds(1))
        .hungHandlerGrace(Duration.ofHours(1)).build())) {
      q.declare(TEXT);
      q.enqueue(TEXT, "slow");
      q.register(TEXT, Workers.of(2), job -> {
        if (job.attempt() == 1) {
          clock.advance(Duration.ofSeconds(2)); // past its visibility deadline: the job is taken back
          if (!secondStarted.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the job was not taken back");
          }
          firstFailed.countDown();
          throw new IllegalStateException("too late");
        }
        secondStarted.countDown();
        firstFailed.await(10, TimeUnit.SECONDS);
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> counter("ballast.queue.processed") == 1);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> registry.get("ballast.queue.handler.duration").tags("queue", "m", "type", "text").timer().count() == 2);
      assertThat(counter("ballast.queue.retried")).isZero();
      assertThat(counter("ballast.queue.failed")).as("failed attempts recorded").isZero();
    }
  }

  /** A handler written off as hung is counted once, as hung, whatever it throws when it finally returns. */
  @Test
  void aWrittenOffAttemptIsCountedAsHungNotAlsoAsFailed() {
    java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(1);
    try (JobQueue q = JobQueue.inMemory(QueueConfig.builder().name("m").meterRegistry(registry).ticker(clock::read)
        .pollInterval(Duration.ofMillis(5)).visibilityTimeout(Duration.ofSeconds(1))
        .hungHandlerGrace(Duration.ofSeconds(1)).build())) {
      q.declare(TEXT);
      q.enqueue(TEXT, "hangs", JobOptions.builder().maxAttempts(1).build());
      q.register(TEXT, Workers.of(1), job -> {
        clock.advance(Duration.ofSeconds(5)); // past the deadline and the grace
        try {
          Thread.sleep(10_000); // until the queue writes this worker off and interrupts it
        } catch (InterruptedException e) {
          throw new RuntimeException("wrapped", e); // as many handlers do; the interrupt flag is now clear
        } finally {
          returned.countDown();
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> returned.getCount() == 0);
      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
          .until(() -> counter("ballast.queue.handler.hung") == 1);
      assertThat(counter("ballast.queue.failed")).isZero();
    }
  }

  @Test
  void workersNeededFollowsLittlesLaw() {
    // 2 jobs/s arriving, 0.5 s each: 1 worker keeps up; 100 waiting to drain within 300 s: 1/6 more.
    assertThat(dev.ballast.queue.internal.MetricsFormulas.workersNeeded(2.0, 0.5, 100, 300))
        .isCloseTo(1.0 + 100 * 0.5 / 300, within(1e-12));
  }
}
