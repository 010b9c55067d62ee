package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job enqueued by one instance wakes the idle workers of another (each on its own Lettuce client) at
 * once, without waiting for their poll; when the notice is lost, the poll still finds the job. Latency
 * itself is measured by benchmarks' QueueHarness, not asserted here.
 */
@ExtendWith(RedisExtension.class)
class RedisWakeUpTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final AtomicInteger names = new AtomicInteger();

  @Test
  void aJobEnqueuedElsewhereWakesAnIdleWorkerLongBeforeItsPoll(RedisServer server) throws Exception {
    String name = "wake" + names.incrementAndGet();
    RedisClient clientA = server.newClient();
    RedisClient clientB = server.newClient();
    try (JobQueue a = JobQueue.redis(clientA, QueueConfig.builder().name(name).build());
        JobQueue b = JobQueue.redis(clientB, QueueConfig.builder().name(name).pollInterval(Duration.ofMinutes(1))
            .build())) {
      a.declare(TEXT);
      CountDownLatch warmedUp = new CountDownLatch(1);
      CountDownLatch ran = new CountDownLatch(1);
      b.register(TEXT, Workers.of(2), job -> (job.payload().equals("warm-up") ? warmedUp : ran).countDown());
      b.enqueue(TEXT, "warm-up"); // B's own enqueue wakes B; once acknowledged, B is idle until its poll
      assertThat(warmedUp.await(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> b.stats().inFlight() == 0);
      a.enqueue(TEXT, "from A");
      // B polls once a minute: only the notice can start the job this soon.
      assertThat(ran.await(10, TimeUnit.SECONDS)).as("the job from A started on B").isTrue();
    } finally {
      clientA.shutdown();
      clientB.shutdown();
    }
  }

  @Test
  void thePollStillFindsAJobWhoseNoticeWasLost(RedisServer server) throws Exception {
    String name = "wake" + names.incrementAndGet();
    RedisClient clientA = server.newClient();
    // B never reconnects, so its subscription stays dropped once killed.
    RedisClient clientB = RedisClient.create(server.uri());
    clientB.setOptions(ClientOptions.builder().autoReconnect(false).build());
    try (StatefulRedisConnection<String, String> admin = clientA.connect();
        JobQueue a = JobQueue.redis(clientA, QueueConfig.builder().name(name).build());
        JobQueue b = JobQueue.redis(clientB, QueueConfig.builder().name(name).pollInterval(Duration.ofMillis(300))
            .build())) {
      a.declare(TEXT);
      CountDownLatch ran = new CountDownLatch(1);
      b.register(TEXT, Workers.of(1), job -> ran.countDown());
      String channel = "{ballast:queue:" + name + "}:ready";
      await().atMost(Duration.ofSeconds(10)).until(() -> admin.sync().pubsubNumsub(channel).get(channel) == 1L);
      admin.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
      assertThat(admin.sync().pubsubNumsub(channel).get(channel)).isZero();
      a.enqueue(TEXT, "from A");
      assertThat(ran.await(20, TimeUnit.SECONDS)).as("the job from A started on B by its poll").isTrue();
    } finally {
      clientA.shutdown();
      clientB.shutdown();
    }
  }
}
