package dev.ballast.redis.ratelimit;

import dev.ballast.core.Rate;
import dev.ballast.core.RateLimiterContract;
import dev.ballast.core.Sleeper;
import dev.ballast.core.Ticker;
import dev.ballast.testsupport.RedisSentinelSetup;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;

/**
 * The limiter's contract on a Sentinel setup through a {@code redis-sentinel://} client. The outage pauses
 * the master for well under the Sentinels' down-after (2 s), so no failover starts; {@link
 * DistributedRateLimiterSentinelFailoverTest} kills it.
 */
class DistributedRateLimiterSentinelContractTest extends RateLimiterContract {

  private static RedisSentinelSetup setup;
  private static RedisClient client;

  private static synchronized RedisClient client() {
    if (setup == null) {
      setup = RedisSentinelSetup.launch();
      client = setup.newClient();
    }
    return client;
  }

  @AfterAll
  @AfterContainer
  static synchronized void shutDown() {
    if (setup != null) {
      client.shutdown();
      setup.close();
      setup = null;
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
    setup.master().pause();
  }

  @Override
  protected void restoreBackend() {
    setup.master().resume();
  }
}
