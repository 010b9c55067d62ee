package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JobQueue#shutdown(Duration)} is bounded by its timeout whatever Redis does while it runs, and
 * leaves no thread of the queue behind. The client has Lettuce's default 60 s command timeout, as an
 * application's would: every wait that leans on it would blow the bound by far.
 */
class RedisQueueShutdownTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final AtomicInteger names = new AtomicInteger();
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  /** What shutdown may take past its timeout: the bounded wait for interrupted threads, plus slack. */
  static final long SLACK_MILLIS = 3000;

  @Test
  void shutdownIsBoundedWhenRedisIsKilledWhileHandlersRun(RedisServer server) throws Exception {
    shutdownIsBounded(server, RedisServer::kill);
  }

  @Test
  void shutdownIsBoundedWhenRedisIsPausedWhileHandlersRun(RedisServer server) throws Exception {
    shutdownIsBounded(server, RedisServer::pause);
  }

  @Test
  void shutdownIsBoundedWhenRedisRestartsWhileHandlersRun(RedisServer server) throws Exception {
    shutdownIsBounded(server, RedisServer::restart);
  }

  private void shutdownIsBounded(RedisServer server, Consumer<RedisServer> fault) throws Exception {
    String name = "shutdown" + names.incrementAndGet();
    RedisClient client = RedisClient.create(RedisURI.builder().withHost(server.host()).withPort(server.port())
        .withTimeout(Duration.ofSeconds(60)).build());
    Set<String> done = ConcurrentHashMap.newKeySet();
    try {
      QueueConfig config = QueueConfig.builder().name(name).visibilityTimeout(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(20)).shutdownTimeout(TIMEOUT).build();
      JobQueue queue = JobQueue.redis(client, config);
      CountDownLatch started = new CountDownLatch(2);
      CountDownLatch release = new CountDownLatch(1);
      queue.register(TEXT, Workers.of(2), job -> {
        started.countDown();
        release.await(); // interruptible: the queue may interrupt it when it gives up
        done.add(job.payload());
      });
      for (int i = 0; i < 4; i++) {
        queue.enqueue(TEXT, "j" + i);
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).as("both handlers running").isTrue();

      fault.accept(server);
      release.countDown(); // the handlers finish now: their acks (and the next claim) cannot reach Redis
      long t0 = System.nanoTime();
      queue.shutdown(TIMEOUT);
      long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long t1 = System.nanoTime();
      queue.close();
      long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);

      assertThat(shutdownMillis).as("shutdown(%s) took", TIMEOUT).isLessThan(TIMEOUT.toMillis() + SLACK_MILLIS);
      assertThat(closeMillis).as("close after shutdown took").isLessThan(SLACK_MILLIS);
      assertThat(threadsOf(name)).as("threads of queue " + name + " after close").isEmpty();
    } finally {
      if (server.isPaused()) {
        server.resume();
      }
      if (!server.isRunning()) {
        server.start();
      }
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    // At least once: every job runs, those whose ack never reached Redis again after the visibility timeout.
    RedisClient again = server.newClient();
    try (JobQueue queue = JobQueue.redis(again, QueueConfig.builder().name(name)
        .visibilityTimeout(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).build())) {
      queue.register(TEXT, Workers.of(2), job -> done.add(job.payload()));
      await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 4);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> queue.stats().pending() == 0);
    } finally {
      again.shutdown();
    }
  }

  private static List<String> threadsOf(String queue) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("ballast-queue-" + queue + "-")).collect(Collectors.toList());
  }
}
