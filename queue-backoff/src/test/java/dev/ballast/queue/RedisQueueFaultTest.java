package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis queue while its server is frozen and restarted: no job is lost. */
class RedisQueueFaultTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final AtomicInteger names = new AtomicInteger();

  RedisClient client;
  JobQueue queue;

  @BeforeEach
  void connect(RedisServer server) {
    client = server.newClient();
    queue = JobQueue.redis(client, QueueConfig.builder().name("fault" + names.incrementAndGet())
        .visibilityTimeout(Duration.ofSeconds(3)).backoff(dev.ballast.core.Backoff.fixed(Duration.ofMillis(10)))
        .maxAttempts(10).pollInterval(Duration.ofMillis(5)).build());
  }

  @AfterEach
  void close() {
    queue.close();
    client.shutdown();
  }

  /** Enqueues with the same key until Redis takes it; an enqueue that timed out may have been stored. */
  static void enqueueUntilStored(JobQueue q, String payload, AtomicInteger refusals) {
    JobOptions keyed = JobOptions.builder().idempotencyKey(payload).build();
    while (true) {
      try {
        q.enqueue(TEXT, payload, keyed);
        return;
      } catch (QueueUnavailableException e) {
        refusals.incrementAndGet();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the producer's own retry pause
      }
    }
  }

  @Test
  void nothingIsLostWhenRedisIsPausedMidRun(RedisServer server) throws Exception {
    Set<String> done = ConcurrentHashMap.newKeySet();
    queue.register(TEXT, Workers.of(4), job -> done.add(job.payload()));
    int n = 2000;
    AtomicInteger refusals = new AtomicInteger();
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch paused = new CountDownLatch(1);
    Thread producer = new Thread(() -> {
      for (int i = 0; i < n; i++) {
        if (i == n / 2) {
          halfway.countDown();
          try {
            paused.await(); // so the second half surely starts against the frozen server
          } catch (InterruptedException e) {
            return;
          }
        }
        enqueueUntilStored(queue, "p" + i, refusals);
      }
    });
    producer.start();
    assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
    server.pause();
    paused.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> refusals.get() > 0);
    server.resume();
    producer.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(producer.isAlive()).isFalse();
    await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == n);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> queue.stats().pending() == 0);
    assertThat(queue.stats().dead()).isZero();
  }

  @Test
  void nothingIsLostAcrossARestartWithAppendOnly(RedisServer server) {
    queue.declare(TEXT);
    for (int i = 0; i < 500; i++) {
      queue.enqueue(TEXT, "r" + i, JobOptions.builder().idempotencyKey("r" + i).build());
    }
    queue.enqueue(TEXT, "later", JobOptions.builder().delay(Duration.ofHours(1)).build());
    QueueStats before = queue.stats();
    assertThat(before.ready()).isEqualTo(500);

    server.restart();
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "PONG".equals(c.sync().ping()));
    }
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> sameDepths(queue.stats(), before));
    // Idempotency keys survived too: a repeat is still a no-op.
    String again = queue.enqueue(TEXT, "r0", JobOptions.builder().idempotencyKey("r0").build());
    assertThat(queue.stats().ready()).isEqualTo(500);
    assertThat(again).isNotBlank();

    Set<String> done = ConcurrentHashMap.newKeySet();
    AtomicInteger restarted = new AtomicInteger();
    queue.register(TEXT, Workers.of(4), job -> {
      done.add(job.payload());
      if (done.size() == 250 && restarted.getAndIncrement() == 0) {
        server.restart(); // mid-run: acks in flight fail, those jobs run again after the visibility timeout
      }
    });
    await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == 500);
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> queue.stats().pending() == 1);
    assertThat(queue.stats().delayed()).isEqualTo(1);
    assertThat(queue.stats().dead()).isZero();
  }

  static boolean sameDepths(QueueStats a, QueueStats b) {
    return a.readyByPriority().equals(b.readyByPriority()) && a.delayed() == b.delayed()
        && a.inFlight() == b.inFlight() && a.dead() == b.dead();
  }
}
