package dev.ballast.queue;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link QueueFailoverContract} on a Redis Cluster: the master of the queue's slot is killed. */
class ClusterQueueFailoverTest extends QueueFailoverContract {

  @RegisterExtension static final RedisClusterExtension extension = RedisClusterExtension.create();

  static RedisCluster cluster;

  @BeforeAll
  static void topology(RedisCluster launched) {
    cluster = launched;
  }

  @Override
  RedisServer masterOf(String queue) {
    return cluster.masterForSlot(SlotHash.getSlot("{ballast:queue:" + queue + "}"));
  }

  @Override
  RedisServer replicaOf(RedisServer master) {
    return cluster.replicaOf(master);
  }

  @Override
  JobQueue openOnNewClient(QueueConfig config, List<AutoCloseable> clients) {
    RedisClusterClient client = cluster.newClient();
    clients.add(client::shutdown);
    return JobQueue.redis(client, config);
  }

  @Override
  RedisServer awaitFailoverOf(RedisServer master) {
    return cluster.awaitFailoverOf(master);
  }

  @Override
  void awaitHealthy() {
    cluster.awaitHealthy();
  }
}
