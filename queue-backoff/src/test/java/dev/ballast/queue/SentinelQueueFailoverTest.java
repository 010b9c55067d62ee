package dev.ballast.queue;

import dev.ballast.testsupport.RedisSentinelExtension;
import dev.ballast.testsupport.RedisSentinelSetup;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link QueueFailoverContract} on a Sentinel setup: the master is killed, the Sentinels promote the
 * replica, every client (made on the Sentinel URI) follows.
 */
class SentinelQueueFailoverTest extends QueueFailoverContract {

  @RegisterExtension static final RedisSentinelExtension extension = RedisSentinelExtension.create();

  static RedisSentinelSetup setup;

  @BeforeAll
  static void topology(RedisSentinelSetup launched) {
    setup = launched;
  }

  @Override
  RedisServer masterOf(String queue) {
    return setup.master();
  }

  @Override
  RedisServer replicaOf(RedisServer master) {
    return setup.replica();
  }

  @Override
  JobQueue openOnNewClient(QueueConfig config, List<AutoCloseable> clients) {
    RedisClient client = setup.newClient();
    clients.add(client::shutdown);
    return JobQueue.redis(client, config);
  }

  @Override
  RedisServer awaitFailoverOf(RedisServer master) {
    return setup.awaitFailoverFrom(master);
  }

  /**
   * {@link RedisSentinelSetup#heal()}: the restarted master is made a replica of the promoted one at once,
   * where the Sentinels would wait 8 s or more before doing the same (no client reaches it in between: the
   * clients ask the Sentinels, which name the promoted master).
   */
  @Override
  void awaitHealthy() {
    setup.heal();
  }
}
