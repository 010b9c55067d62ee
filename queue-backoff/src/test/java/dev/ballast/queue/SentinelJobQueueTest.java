package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.queue.internal.DefaultJobQueue;
import dev.ballast.queue.internal.RedisStore;
import dev.ballast.testsupport.RedisSentinelExtension;
import dev.ballast.testsupport.RedisSentinelSetup;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link JobQueueContract} on a Sentinel setup (master, replica, three Sentinels), through the plain
 * {@code JobQueue.redis(RedisClient, ...)} with a {@code redis-sentinel://} URI: no Sentinel-specific API.
 */
class SentinelJobQueueTest extends JobQueueContract {

  @RegisterExtension static final RedisSentinelExtension sentinel = RedisSentinelExtension.create();

  static RedisClient client;

  @BeforeAll
  static void connect(RedisSentinelSetup setup) {
    client = setup.newClient();
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
    return 5000;
  }

  @Test
  void theQueueLivesOnTheMasterTheSentinelsNameAndReachesTheReplicaWithReplicasOne(RedisSentinelSetup setup) {
    JobQueue q = open(config().replicas(1, Duration.ofSeconds(1)).build());
    q.declare(TEXT);
    String id = q.enqueue(TEXT, "kept");
    // replicas(1): enqueue returned only after the replica had the job, so it is there at once.
    String jobKey = "{ballast:queue:" + q.name() + "}:job:" + id;
    try (RedisClient direct = setup.replica().newClient();
        var connection = direct.connect()) {
      assertThat(connection.sync().exists(jobKey)).isEqualTo(1L);
    }
    assertThat(q.stats().ready()).isEqualTo(1);
  }
}
