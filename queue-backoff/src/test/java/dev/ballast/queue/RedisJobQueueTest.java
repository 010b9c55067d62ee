package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.queue.internal.DefaultJobQueue;
import dev.ballast.queue.internal.RedisStore;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@link JobQueueContract} on a real Redis; "another instance" is another connection. */
@ExtendWith(RedisExtension.class)
class RedisJobQueueTest extends JobQueueContract {

  static RedisClient client;

  @BeforeAll
  static void connect(RedisServer server) {
    client = server.newClient();
  }

  @AfterAll
  static void disconnect() {
    client.shutdown();
  }

  @Override
  JobQueue newQueue(QueueConfig config) {
    return JobQueue.redis(client, config);
  }

  @Override
  JobQueue sameBackend(JobQueue first, QueueConfig config) {
    return new DefaultJobQueue(config, RedisStore.connect(client, config));
  }

  @Override
  int bigRunJobs() {
    return 100000;
  }

  @Test
  void anInterruptedEnqueueThrowsQueueInterruptedKeepsTheFlagAndIsNoRedisFailure() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    JobQueue q = open(config().meterRegistry(meters).build());
    q.declare(TEXT);
    // Lettuce only notices the interrupt when it has to wait: a reply that is already there is returned.
    int interrupted = 0;
    for (int i = 0; i < 500 && interrupted < 20; i++) {
      Thread.currentThread().interrupt();
      try {
        q.enqueue(TEXT, "x");
      } catch (QueueInterruptedException e) {
        assertThat(e).hasMessageContaining("interrupted");
        interrupted++;
      }
      assertThat(Thread.interrupted()).isTrue(); // the flag was kept (and is cleared here for the next round)
    }
    assertThat(interrupted).isEqualTo(20);
    // Not one Redis failure: the breaker stayed closed and nothing was counted.
    q.enqueue(TEXT, "y");
    assertThat(meters.find("ballast.redis.errors").counters()).isEmpty();
    assertThat(meters.get("ballast.redis.outages").counter().count()).isZero();
  }

  @Test
  void theQueuesRedisBreakerPublishesItsMetersToTheQueuesRegistry() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    JobQueue q = open(config().meterRegistry(meters).build());
    q.declare(TEXT);
    q.enqueue(TEXT, "x");
    String breaker = "redis:queue:" + q.name();
    assertThat(meters.get("ballast.circuitbreaker.state").tag("name", breaker).tag("state", "closed").gauge().value())
        .isEqualTo(1.0);
    assertThat(meters.get("ballast.circuitbreaker.calls").tag("name", breaker).tag("outcome", "success")
        .timer().count()).isPositive();
  }
}
