package dev.ballast.queue;

import dev.ballast.queue.internal.DefaultJobQueue;
import dev.ballast.queue.internal.RedisStore;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
}
