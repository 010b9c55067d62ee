package dev.ballast.cache;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read contract ({@link ReadContractSuite}) on a Redis Cluster (3 masters, 3 replicas): every instance
 * is given its own {@code RedisClusterClient}; invalidation is sharded on 7.x, classic on 6.2.
 */
class ReadContractClusterTest extends ReadContractSuite {

  @RegisterExtension static final RedisClusterExtension cluster = RedisClusterExtension.create();

  @BeforeEach
  void connect(RedisCluster cluster) {
    setUp(TestFleet.TestRedis.of(cluster));
  }

  @Override
  boolean runsL1Only() {
    return false;
  }
}
