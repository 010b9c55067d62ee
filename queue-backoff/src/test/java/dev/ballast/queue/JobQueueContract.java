package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Backoff;
import dev.ballast.core.RetryAfterHint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JobQueue} backend must have; subclassed once per backend. Time-dependent
 * tests drive a manual clock. To show that a job did NOT run before its time, a probe job of the same
 * type is enqueued after the clock moved: once the probe ran, a claim happened at the new time, and that
 * claim would have taken the other job had it been due.
 */
abstract class JobQueueContract {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final long START = TimeUnit.SECONDS.toNanos(1_000_000);

  final AtomicLong clock = new AtomicLong(START);
  final List<JobQueue> opened = new CopyOnWriteArrayList<>();

  /** A queue on a fresh backend state, from {@code config}. */
  abstract JobQueue newQueue(QueueConfig config);

  /** Another instance on the same backend state as {@code first} (another JVM, on Redis). */
  abstract JobQueue sameBackend(JobQueue first, QueueConfig config);

  /** How many jobs the big mixed run uses on this backend. */
  abstract int bigRunJobs();

  /** A unique queue name per test, so tests on a shared Redis do not see each other's jobs. */
  static final AtomicInteger names = new AtomicInteger();

  QueueConfig.Builder config() {
    return QueueConfig.builder().name("q" + names.incrementAndGet() + "-" + System.nanoTime())
        .ticker(clock::get).pollInterval(Duration.ofMillis(5));
  }

  JobQueue open(QueueConfig config) {
    JobQueue q = newQueue(config);
    opened.add(q);
    return q;
  }

  JobQueue open() {
    return open(config().build());
  }

  @AfterEach
  void closeAll() {
    for (JobQueue q : opened) {
      q.shutdown(Duration.ofSeconds(5));
      q.close();
    }
  }

  void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  /** Enqueues a probe of TEXT at top priority and waits until {@code seen} has it. */
  void probe(JobQueue q, List<String> seen) {
    String probe = "probe-" + System.nanoTime();
    q.enqueue(TEXT, probe, JobOptions.builder().priority(2).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(probe));
  }

  static final class TooManyRequests extends RuntimeException implements RetryAfterHint {
    TooManyRequests() {
      super("429");
    }

    @Override
    public Duration retryAfter() {
      return Duration.ofSeconds(7);
    }
  }

  @Test
  void runsAJobAndForgetsItOnceAcknowledged() {
    JobQueue q = open();
    List<String> seen = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(2), job -> seen.add(job.payload() + "@" + job.attempt()));
    String id = q.enqueue(TEXT, "hello");
    assertThat(id).isNotBlank();
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("hello@1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
    assertThat(q.stats().dead()).isZero();
  }

  @Test
  void retriesOnTheBackoffScheduleThenDeadLetters() {
    JobQueue q = open(config().maxAttempts(3)
        .backoff(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16))).build());
    List<String> seen = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> {
      seen.add(job.payload());
      if (job.payload().equals("doomed")) {
        throw new IllegalStateException("boom " + job.attempt());
      }
    });
    q.enqueue(TEXT, "doomed");
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().delayed() == 1);
    assertThat(Collections.frequency(seen, "doomed")).isEqualTo(1);

    advance(Duration.ofMillis(999));
    probe(q, seen);
    assertThat(Collections.frequency(seen, "doomed")).isEqualTo(1);
    advance(Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> Collections.frequency(seen, "doomed") == 2);

    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().delayed() == 1);
    advance(Duration.ofMillis(1999));
    probe(q, seen);
    assertThat(Collections.frequency(seen, "doomed")).isEqualTo(2);
    advance(Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().dead() == 1);

    assertThat(Collections.frequency(seen, "doomed")).isEqualTo(3);
    List<DeadLetter> dead = q.deadLetters(10);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).attempts()).isEqualTo(3);
    assertThat(dead.get(0).type()).isEqualTo("text");
    assertThat(dead.get(0).lastError()).contains("IllegalStateException").contains("boom 3");
    assertThat(new String(dead.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("doomed");
  }

  @Test
  void honoursTheHandlersRetryAfterInsteadOfTheBackoff() {
    JobQueue q = open(config().backoff(Backoff.fixed(Duration.ofMillis(1))).build());
    List<String> seen = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> {
      seen.add(job.payload());
      if (job.payload().equals("limited") && job.attempt() == 1) {
        throw new TooManyRequests();
      }
    });
    q.enqueue(TEXT, "limited");
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().delayed() == 1);
    advance(Duration.ofMillis(6999));
    probe(q, seen);
    assertThat(Collections.frequency(seen, "limited")).isEqualTo(1);
    advance(Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> Collections.frequency(seen, "limited") == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
  }

  @Test
  void deadLettersCanBeListedRequeuedAndPurged() {
    JobQueue q = open(config().maxAttempts(1).build());
    AtomicInteger fixedAfter = new AtomicInteger(2);
    List<String> done = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> {
      if (fixedAfter.getAndDecrement() > 0) {
        throw new IllegalArgumentException("not yet");
      }
      done.add(job.payload());
    });
    String a = q.enqueue(TEXT, "a");
    String b = q.enqueue(TEXT, "b");
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().dead() == 2);
    assertThat(q.deadLetters(10)).extracting(DeadLetter::id).containsExactlyInAnyOrder(a, b);
    assertThat(q.deadLetters(1)).hasSize(1);

    assertThat(q.requeueDead(a)).isTrue();
    assertThat(q.requeueDead(a)).isFalse();
    assertThat(q.requeueDead("no-such-job")).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> done.contains("a"));
    assertThat(q.stats().dead()).isEqualTo(1);
    assertThat(q.purgeDead()).isEqualTo(1);
    assertThat(q.deadLetters(10)).isEmpty();
    assertThat(q.requeueDead(b)).isFalse();
  }

  @Test
  void aPayloadThatDoesNotDecodeIsDeadLetteredAndTheWorkerGoesOn() {
    JobQueue consumer = open();
    JobQueue producer = sameBackend(consumer, QueueConfig.builder().name(consumer.name()).ticker(clock::get).build());
    opened.add(producer);
    JobType<byte[]> raw = JobType.of("text", JobCodec.bytes());
    producer.declare(raw);
    List<String> seen = new CopyOnWriteArrayList<>();
    consumer.register(TEXT, Workers.of(1), job -> seen.add(job.payload()));
    producer.enqueue(raw, new byte[] {(byte) 0xC3, (byte) 0x28});
    producer.enqueue(raw, "fine".getBytes(StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("fine"));
    await().atMost(Duration.ofSeconds(10)).until(() -> consumer.stats().dead() == 1);
    DeadLetter dead = consumer.deadLetters(1).get(0);
    assertThat(dead.lastError()).contains("payload does not decode").contains("UTF-8");
    assertThat(dead.attempts()).isEqualTo(1);
  }

  @Test
  void aSecondEnqueueWithTheSameKeyIsANoOpWithinTheWindow() {
    JobQueue q = open(config().idempotencyWindow(Duration.ofMinutes(10)).build());
    q.declare(TEXT);
    JobOptions keyed = JobOptions.builder().idempotencyKey("order-42").build();
    String first = q.enqueue(TEXT, "charge", keyed);
    String again = q.enqueue(TEXT, "charge", keyed);
    assertThat(again).isEqualTo(first);
    assertThat(q.stats().ready()).isEqualTo(1);

    advance(Duration.ofMinutes(10));
    String later = q.enqueue(TEXT, "charge", keyed);
    assertThat(later).isNotEqualTo(first);
    assertThat(q.stats().ready()).isEqualTo(2);
  }

  @Test
  void lowPrioritiesAdvanceByWeight() {
    JobQueue q = open(config().claimBatch(1).build()); // weights 1, 4, 16
    q.declare(TEXT);
    for (int i = 0; i < 30; i++) {
      for (int p = 0; p < 3; p++) {
        q.enqueue(TEXT, Integer.toString(p), JobOptions.builder().priority(p).build());
      }
    }
    assertThat(q.stats().readyByPriority()).containsExactly(30L, 30L, 30L);
    List<String> order = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> order.add(job.payload()));
    await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 90);
    List<String> firstCycle = order.subList(0, 21);
    assertThat(Collections.frequency(firstCycle, "0")).isEqualTo(1);
    assertThat(Collections.frequency(firstCycle, "1")).isEqualTo(4);
    assertThat(Collections.frequency(firstCycle, "2")).isEqualTo(16);
  }

  @Test
  void oneWideClaimPicksByWeightAndTakesExactlyThoseJobsOffTheirLists() throws Exception {
    JobQueue q = open(config().claimBatch(21).build()); // weights 1, 4, 16
    q.declare(TEXT);
    for (int i = 0; i < 30; i++) {
      for (int p = 0; p < 3; p++) {
        q.enqueue(TEXT, p + "-" + i, JobOptions.builder().priority(p).build());
      }
    }
    List<String> started = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    q.register(TEXT, Workers.of(21), job -> {
      started.add(job.payload());
      release.await();
    });
    // All 21 slots are idle at the start: one claim takes 21 jobs, and nothing more is claimed until one ends.
    await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 21);
    assertThat(started.stream().filter(s -> s.startsWith("0-"))).hasSize(1);
    assertThat(started.stream().filter(s -> s.startsWith("1-"))).hasSize(4);
    assertThat(started.stream().filter(s -> s.startsWith("2-"))).containsExactlyInAnyOrder(
        "2-0", "2-1", "2-2", "2-3", "2-4", "2-5", "2-6", "2-7", "2-8", "2-9", "2-10", "2-11", "2-12", "2-13", "2-14", "2-15");
    assertThat(q.stats().readyByPriority()).containsExactly(29L, 26L, 14L);
    assertThat(q.stats().inFlight()).isEqualTo(21);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 90);
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().inFlight() == 0 && q.stats().ready() == 0);
    assertThat(started).doesNotHaveDuplicates();
  }

  @Test
  void aJobWhoseWorkerHangsIsTakenBackAfterTheVisibilityDeadline() throws Exception {
    JobQueue q = open(config().visibilityTimeout(Duration.ofSeconds(30)).build());
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger lateExtend = new AtomicInteger();
    q.register(TEXT, Workers.of(2), job -> {
      seen.add(job.payload() + "@" + job.attempt());
      if (job.payload().equals("slow") && job.attempt() == 1) {
        firstStarted.countDown();
        release.await();
        lateExtend.set(job.extendVisibility(Duration.ofSeconds(30)) ? 1 : -1);
      }
    });
    q.enqueue(TEXT, "slow");
    assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    advance(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("slow@2"));
    release.countDown(); // the hung worker returns late: its extend and ack must not count
    await().atMost(Duration.ofSeconds(10)).until(() -> lateExtend.get() != 0);
    assertThat(lateExtend.get()).isEqualTo(-1);
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
    assertThat(q.stats().dead()).isZero();
    assertThat(seen).containsExactlyInAnyOrder("slow@1", "slow@2");
  }

  @Test
  void aHandlerCanExtendItsDeadline() throws Exception {
    JobQueue q = open(config().visibilityTimeout(Duration.ofSeconds(30)).build());
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch extended = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger extendResult = new AtomicInteger();
    q.register(TEXT, Workers.of(2), job -> {
      seen.add(job.payload() + "@" + job.attempt());
      if (job.payload().equals("long")) {
        extendResult.set(job.extendVisibility(Duration.ofSeconds(60)) ? 1 : -1);
        extended.countDown();
        release.await();
      } else {
        seen.add(job.payload());
      }
    });
    q.enqueue(TEXT, "long");
    assertThat(extended.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(extendResult.get()).isEqualTo(1);
    advance(Duration.ofSeconds(45));
    probe(q, seen);
    assertThat(seen).doesNotContain("long@2");
    assertThat(q.stats().inFlight()).isEqualTo(1);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
    assertThat(seen).doesNotContain("long@2");
  }

  @Test
  void aDelayedJobWaitsForItsDelay() {
    JobQueue q = open();
    List<String> seen = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> seen.add(job.payload()));
    q.enqueue(TEXT, "later", JobOptions.builder().delay(Duration.ofSeconds(5)).build());
    assertThat(q.stats().delayed()).isEqualTo(1);
    advance(Duration.ofMillis(4999));
    probe(q, seen);
    assertThat(seen).doesNotContain("later");
    advance(Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("later"));
  }

  @Test
  void aJobNotStartedBeforeItsDeadlineIsDeadLettered() {
    JobQueue q = open();
    q.declare(TEXT);
    q.enqueue(TEXT, "stale", JobOptions.builder().deadline(Duration.ofSeconds(1)).build());
    advance(Duration.ofSeconds(2));
    List<String> seen = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> seen.add(job.payload()));
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().dead() == 1);
    assertThat(q.deadLetters(1).get(0).lastError()).contains("deadline");
    assertThat(seen).doesNotContain("stale");
  }

  @Test
  void badInputGetsClearErrors() {
    JobQueue q = open(config().maxPayloadBytes(16).build());
    JobType<String> unknown = JobType.of("unknown", JobCodec.utf8());
    assertThatThrownBy(() -> q.enqueue(unknown, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unknown job type 'unknown'");
    q.declare(TEXT);
    assertThatThrownBy(() -> q.enqueue(TEXT, "x".repeat(17)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPayloadBytes").hasMessageContaining("17");
    assertThatThrownBy(() -> JobOptions.builder().delay(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JobOptions.delay");
    assertThatThrownBy(() -> q.enqueue(TEXT, "x", JobOptions.builder().priority(3).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JobOptions.priority");
    assertThatThrownBy(() -> q.enqueueAll(TEXT, List.of("a"), JobOptions.builder().idempotencyKey("k").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotencyKey");
    assertThatThrownBy(() -> q.declare(JobType.of("text", JobCodec.bytes())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'text'");
    q.register(TEXT, Workers.of(1), job -> { });
    assertThatThrownBy(() -> q.register(TEXT, Workers.of(1), job -> { }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(q.stats().pending()).isZero();
  }

  @Test
  void shutdownDrainsRunningJobsWithinTheTimeout() throws Exception {
    JobQueue q = open();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> done = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> {
      started.countDown();
      release.await();
      done.add(job.payload());
    });
    q.enqueue(TEXT, "drain-me");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    Thread releaser = new Thread(release::countDown);
    releaser.start();
    assertThat(q.shutdown(Duration.ofSeconds(10))).isTrue();
    assertThat(done).containsExactly("drain-me");
    assertThat(q.stats().pending()).isZero();
    assertThatThrownBy(() -> q.register(JobType.of("other", JobCodec.utf8()), Workers.of(1), job -> { }))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aHandlerStillRunningAtTheShutdownTimeoutLeavesItsJobInFlight() throws Exception {
    JobQueue q = open();
    CountDownLatch started = new CountDownLatch(1);
    q.register(TEXT, Workers.of(1), job -> {
      started.countDown();
      new CountDownLatch(1).await(); // until interrupted
    });
    q.enqueue(TEXT, "stuck");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(q.shutdown(Duration.ofMillis(50))).isFalse();
    QueueStats stats = q.stats();
    assertThat(stats.inFlight()).isEqualTo(1);
    assertThat(stats.dead()).isZero();
  }

  static double counter(SimpleMeterRegistry meters, String name) {
    return meters.get(name).tags("type", "text").counter().count();
  }

  @Test
  void aHandlerThatThrowsAnErrorFailsTheAttemptAndTheWorkerGoesOn() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    JobQueue q = open(config().maxAttempts(2).backoff(Backoff.fixed(Duration.ofSeconds(1))).meterRegistry(meters)
        .build());
    List<String> seen = new CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> {
      seen.add(job.payload() + "@" + job.attempt());
      if (job.payload().equals("assert")) {
        throw new AssertionError("bug in the handler");
      }
      if (job.payload().equals("oom") && job.attempt() == 1) {
        throw new OutOfMemoryError("pretend"); // a VirtualMachineError: recorded, then it ends the worker thread
      }
    });
    q.enqueue(TEXT, "assert");
    // Recorded as a failed attempt: retried after the backoff (delayed), not left in flight.
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().delayed() == 1);
    assertThat(q.stats().inFlight()).isZero();
    assertThat(counter(meters, "ballast.queue.failed")).isEqualTo(1.0);
    advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().dead() == 1);
    assertThat(q.deadLetters(1).get(0).lastError()).contains("AssertionError").contains("bug in the handler");
    assertThat(seen).containsExactly("assert@1", "assert@2");

    q.enqueue(TEXT, "oom");
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().delayed() == 1);
    assertThat(counter(meters, "ballast.queue.failed")).isEqualTo(3.0);
    advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("oom@2")); // a new worker took its place
    q.enqueue(TEXT, "after");
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("after@1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
    assertThat(q.stats().dead()).isEqualTo(1);
  }

  @Test
  void hungHandlersAreWrittenOffAndTheirWorkersReplacedSoTheQueueKeepsFlowing() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    JobQueue q = open(config().visibilityTimeout(Duration.ofSeconds(10)).hungHandlerGrace(Duration.ofSeconds(5))
        .meterRegistry(meters).build());
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch allHung = new CountDownLatch(3);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger interrupts = new AtomicInteger();
    q.register(TEXT, Workers.of(3), hangsIgnoringInterrupts(seen, allHung, release, interrupts));
    for (int i = 1; i <= 3; i++) {
      q.enqueue(TEXT, "hang" + i);
    }
    assertThat(allHung.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i <= 3; i++) {
      q.enqueue(TEXT, "later" + i);
    }
    assertThat(q.stats().ready()).isEqualTo(3); // every worker is taken
    advance(Duration.ofSeconds(15).plusMillis(1)); // past the visibility deadline plus the grace
    await().atMost(Duration.ofSeconds(20))
        .until(() -> seen.containsAll(List.of("later1@1", "later2@1", "later3@1", "hang1@2", "hang2@2", "hang3@2")));
    assertThat(counter(meters, "ballast.queue.handler.hung")).isEqualTo(3.0);
    await().atMost(Duration.ofSeconds(10)).until(() -> interrupts.get() == 3);
    release.countDown(); // the written-off handlers return late: their claims lapsed, so nothing is counted twice
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
    assertThat(q.stats().dead()).isZero();
    assertThat(counter(meters, "ballast.queue.processed")).isEqualTo(6.0);
  }

  /** A handler whose first attempt of a "hang" job hangs until {@code release}, counting the interrupts it swallows. */
  static JobHandler<String> hangsIgnoringInterrupts(List<String> seen, CountDownLatch allHung, CountDownLatch release,
      AtomicInteger interrupts) {
    return job -> {
      seen.add(job.payload() + "@" + job.attempt());
      if (job.payload().startsWith("hang") && job.attempt() == 1) {
        allHung.countDown();
        while (true) {
          try {
            if (release.await(10, TimeUnit.SECONDS)) {
              return;
            }
          } catch (InterruptedException e) {
            interrupts.incrementAndGet();
          }
        }
      }
    };
  }

  @Test
  void closeWaitsOnlyTheConfiguredShutdownTimeout() throws Exception {
    JobQueue q = open(config().shutdownTimeout(Duration.ofMillis(100)).build());
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    q.register(TEXT, Workers.of(1), job -> {
      started.countDown();
      while (true) {
        try {
          if (release.await(10, TimeUnit.SECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          // ignores interrupts: close() must still return after its timeout
        }
      }
    });
    q.enqueue(TEXT, "stuck");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    long start = System.nanoTime();
    q.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    release.countDown();
  }

  @Test
  void anInterruptedShutdownStopsWaitingAndKeepsTheFlag() throws Exception {
    JobQueue q = open();
    CountDownLatch started = new CountDownLatch(1);
    q.register(TEXT, Workers.of(1), job -> {
      started.countDown();
      new CountDownLatch(1).await(); // until interrupted
    });
    q.enqueue(TEXT, "stuck");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    Thread.currentThread().interrupt();
    long start = System.nanoTime();
    boolean drained = q.shutdown(Duration.ofSeconds(60));
    assertThat(Thread.interrupted()).isTrue();
    assertThat(drained).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(q.stats().inFlight()).isEqualTo(1);
  }

  @Test
  void enqueueAllStoresEveryJobInOrder() {
    JobQueue q = open();
    List<String> payloads = new ArrayList<>();
    for (int i = 0; i < 1234; i++) {
      payloads.add("p" + i);
    }
    q.declare(TEXT);
    List<String> ids = q.enqueueAll(TEXT, payloads, JobOptions.defaults());
    assertThat(ids).hasSize(1234).doesNotHaveDuplicates();
    assertThat(q.stats().ready()).isEqualTo(1234);
    ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
    q.register(TEXT, Workers.of(4), job -> seen.put(job.id(), job.payload()));
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1234);
    assertThat(seen.get(ids.get(7))).isEqualTo("p7");
  }

  @Test
  void rateLimitedWorkersPutBackJobsWithoutSpendingAttempts() {
    JobQueue q = open(config().maxAttempts(1).build());
    dev.ballast.core.RateLimiter limiter = dev.ballast.core.RateLimiter.builder().name("third-party").capacity(1)
        .refill(1, Duration.ofSeconds(10)).ticker(clock::get).build();
    List<String> seen = new CopyOnWriteArrayList<>();
    q.declare(TEXT);
    q.enqueue(TEXT, "a");
    q.enqueue(TEXT, "b");
    q.enqueue(TEXT, "c");
    q.register(TEXT, Workers.of(2).rateLimited(limiter), job -> seen.add(job.payload() + "@" + job.attempt()));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1 && q.stats().delayed() == 2);
    advance(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2 && q.stats().delayed() == 1);
    advance(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
    // maxAttempts(1): had a refused permit spent an attempt, b and c would be dead letters.
    assertThat(seen).containsExactlyInAnyOrder("a@1", "b@1", "c@1");
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
    assertThat(q.stats().dead()).isZero();
  }

  @Test
  void everyJobIsCompletedOrDeadLetteredAsItsAttemptsAllowNoneLost() throws Exception {
    int n = bigRunJobs();
    int keyed = 1000;
    QueueConfig cfg = QueueConfig.builder().name("big" + names.incrementAndGet() + "-" + System.nanoTime())
        .backoff(Backoff.fixed(Duration.ofMillis(1))).maxAttempts(3).visibilityTimeout(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5)).build();
    JobQueue main = open(cfg);
    JobQueue doomed = sameBackend(main, cfg);
    opened.add(doomed);
    main.declare(TEXT);

    // Deterministic "random" failures: about one attempt in five fails. The visibility timeout is well
    // above any stall of a loaded machine, so only the abandoned jobs are ever run again.
    ConcurrentHashMap<String, Integer> completed = new ConcurrentHashMap<>();
    ConcurrentHashMap<String, String> effects = new ConcurrentHashMap<>();
    AtomicInteger duplicateEffects = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    CountDownLatch doomedBusy = new CountDownLatch(4);
    java.util.Set<String> abandoned = ConcurrentHashMap.newKeySet();
    doomed.register(TEXT, Workers.of(4), job -> {
      abandoned.add(job.id());
      doomedBusy.countDown();
      new CountDownLatch(1).await(); // this worker "dies" holding the job: interrupted, never acks
    });
    List<String> ids = new ArrayList<>(n);
    List<String> payloads = new ArrayList<>(n);
    for (int i = 0; i < n - keyed; i++) {
      payloads.add("j" + i);
    }
    ids.addAll(main.enqueueAll(TEXT, payloads, JobOptions.defaults()));
    for (int i = 0; i < keyed; i++) {
      JobOptions options = JobOptions.builder().idempotencyKey("key-" + i).build();
      String id = main.enqueue(TEXT, "k" + i, options);
      assertThat(main.enqueue(TEXT, "k" + i, options)).isEqualTo(id);
      ids.add(id);
    }
    assertThat(doomedBusy.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(doomed.shutdown(Duration.ZERO)).isFalse();

    main.register(TEXT, Workers.of(8), job -> {
      if (fails(job.id(), job.attempt())) {
        failures.incrementAndGet();
        throw new IllegalStateException("random failure");
      }
      completed.merge(job.id(), 1, Integer::sum);
      if (job.idempotencyKey().isPresent() && effects.putIfAbsent(job.idempotencyKey().get(), job.id()) != null) {
        duplicateEffects.incrementAndGet();
      }
    });
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
        .until(() -> main.stats().pending() == 0);

    List<DeadLetter> dead = main.deadLetters(n);
    assertThat(dead).allSatisfy(d -> assertThat(d.attempts()).isEqualTo(3));
    java.util.Set<String> deadIds = new java.util.HashSet<>();
    dead.forEach(d -> deadIds.add(d.id()));
    assertThat(deadIds).doesNotContainAnyElementsOf(completed.keySet());
    assertThat(completed.size() + deadIds.size()).isEqualTo(n);
    assertThat(new java.util.HashSet<>(ids)).hasSize(n);
    assertThat(completed.keySet()).allMatch(id -> !deadIds.contains(id));
    for (String id : ids) {
      assertThat(completed.containsKey(id) || deadIds.contains(id)).as("job %s finished", id).isTrue();
    }
    assertThat(effects).hasSize((int) ids.subList(n - keyed, n).stream().filter(completed::containsKey).count());
    assertThat(duplicateEffects.get()).isZero();
    // Failures are a function of (id, attempt), so the dead-letter set is known exactly: the jobs whose
    // every attempt failed, where an abandoned worker spent its job's first attempt.
    assertThat(abandoned).hasSize(4);
    java.util.Set<String> expectedDead = new java.util.HashSet<>();
    for (String id : ids) {
      boolean allFail = true;
      for (int attempt = abandoned.contains(id) ? 2 : 1; attempt <= 3; attempt++) {
        allFail &= fails(id, attempt);
      }
      if (allFail) {
        expectedDead.add(id);
      }
    }
    assertThat(deadIds).isEqualTo(expectedDead);
    assertThat(failures.get()).isGreaterThan(n / 10);
  }

  /** About one attempt in five fails, deterministically. */
  static boolean fails(String id, int attempt) {
    long h = (id.hashCode() * 0x9E3779B97F4A7C15L) ^ (attempt * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return Math.floorMod(h, 5) == 0;
  }
}
