package dev.ballast.redis.ratelimit;

import dev.ballast.core.Rate;
import dev.ballast.core.RateLimiterContract;
import dev.ballast.core.Sleeper;
import dev.ballast.core.Ticker;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;

/**
 * The limiter's contract on a Redis Cluster (3 masters + 3 replicas): each limiter's key is in the slot of
 * its name's hash tag. The outage pauses every master for well under the node timeout (2 s), so no
 * failover starts.
 */
class DistributedRateLimiterClusterContractTest extends RateLimiterContract {

  private static RedisCluster cluster;
  private static RedisClusterClient client;
  private static List<RedisServer> paused = List.of();

  private static synchronized RedisClusterClient client() {
    if (cluster == null) {
      cluster = RedisCluster.launch();
      client = cluster.newClient();
    }
    return client;
  }

  @AfterAll
  @AfterContainer
  static synchronized void shutDown() {
    if (cluster != null) {
      client.shutdown();
      cluster.close();
      cluster = null;
    }
  }

  @Override
  protected Subject create(String name, Rate rate, Ticker ticker, Sleeper sleeper, MeterRegistry registry) {
    DistributedRateLimiter.Builder builder = DistributedRateLimiter.builder().name(name).rate(rate).redis(client())
        .instances(2).ticker(ticker).sleeper(sleeper).redisTimeout(Duration.ofMillis(100));
    return DistributedRateLimiterContractTest.subject(builder, registry);
  }

  @Override
  protected void breakBackend() {
    paused = cluster.masters();
    paused.forEach(RedisServer::pause);
  }

  @Override
  protected void restoreBackend() {
    paused.forEach(RedisServer::resume);
    cluster.awaitHealthy();
  }
}
