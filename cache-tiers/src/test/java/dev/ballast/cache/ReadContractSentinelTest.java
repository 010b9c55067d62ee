package dev.ballast.cache;

import dev.ballast.testsupport.RedisSentinelExtension;
import dev.ballast.testsupport.RedisSentinelSetup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read contract ({@link ReadContractSuite}) on a Sentinel setup (1 master, 1 replica, 3 Sentinels):
 * every instance is given a {@code RedisClient} on the {@code redis-sentinel://} URI.
 */
class ReadContractSentinelTest extends ReadContractSuite {

  @RegisterExtension static final RedisSentinelExtension sentinel = RedisSentinelExtension.create();

  @BeforeEach
  void connect(RedisSentinelSetup setup) {
    setUp(TestFleet.TestRedis.of(setup));
  }

  @Override
  boolean runsL1Only() {
    return false;
  }
}
