package dev.ballast.redis.ratelimit;

import dev.ballast.testsupport.RedisSentinelExtension;
import dev.ballast.testsupport.RedisSentinelSetup;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link FailoverBound} on Sentinel: the master is killed, the Sentinels promote the replica. */
class DistributedRateLimiterSentinelFailoverTest {

  @RegisterExtension static final RedisSentinelExtension extension = RedisSentinelExtension.create();
  private static final Logger LOG = LoggerFactory.getLogger(DistributedRateLimiterSentinelFailoverTest.class);

  @Test
  void neverAdmitsMoreThanTheDocumentedBoundAcrossAFailover(RedisSentinelSetup setup) {
    RedisClient one = setup.newClient();
    RedisClient two = setup.newClient();
    String name = "failover-" + System.nanoTime();
    try (DistributedRateLimiter drainer = FailoverBound.drainer(name).redis(one).build();
        DistributedRateLimiter a = FailoverBound.limiter(name).redis(one).build();
        DistributedRateLimiter b = FailoverBound.limiter(name).redis(two).build()) {
      int after = FailoverBound.check(drainer, a, b, () -> {
        RedisServer master = setup.master();
        master.kill();
        setup.awaitFailoverFrom(master);
      });
      LOG.info("Sentinel failover: {} permits granted after the kill (burst {})", after, FailoverBound.BURST);
    } finally {
      one.shutdown();
      two.shutdown();
    }
  }
}
