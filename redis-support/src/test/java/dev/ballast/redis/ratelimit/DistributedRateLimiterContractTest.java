package dev.ballast.redis.ratelimit;

import dev.ballast.core.Rate;
import dev.ballast.core.RateLimiterContract;
import dev.ballast.core.Sleeper;
import dev.ballast.core.Ticker;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;

/**
 * The contract for the fleet-wide limiter on a real Redis: a server launched for this class (so the
 * outage test may pause it), the manual clock replacing Redis TIME through {@code ticker}. The outage is
 * a paused server (SIGSTOP): calls time out after 100 ms and the instance decides on its half share.
 * JUnit runs the tests and jqwik the property; each engine's end closes the server and the next use
 * launches it again.
 */
class DistributedRateLimiterContractTest extends RateLimiterContract {

  private static RedisServer server;
  private static RedisClient client;

  private static synchronized RedisClient client() {
    if (server == null) {
      server = RedisServer.launch();
      client = server.newClient();
    }
    return client;
  }

  @AfterAll
  @AfterContainer
  static synchronized void shutDown() {
    if (server != null) {
      client.shutdown();
      server.close();
      server = null;
    }
  }

  @Override
  protected Subject create(String name, Rate rate, Ticker ticker, Sleeper sleeper, MeterRegistry registry) {
    DistributedRateLimiter.Builder builder = DistributedRateLimiter.builder().name(name).rate(rate).redis(client())
        .instances(2).ticker(ticker).sleeper(sleeper).redisTimeout(Duration.ofMillis(100));
    return subject(builder, registry);
  }

  /** The contract's view of the limiter {@code builder} builds (shared with the Sentinel and Cluster runs). */
  static Subject subject(DistributedRateLimiter.Builder builder, MeterRegistry registry) {
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    DistributedRateLimiter limiter = builder.build();
    return new Subject() {
      @Override
      public long tryAcquireOrNanosToWait(int permits) {
        return limiter.tryAcquireOrNanosToWait(permits);
      }

      @Override
      public long availablePermits() {
        return limiter.availablePermits();
      }

      @Override
      public boolean acquire(int permits, Duration timeout) throws InterruptedException {
        return limiter.acquire(permits, timeout);
      }

      @Override
      public void close() {
        limiter.close();
      }
    };
  }

  @Override
  protected void breakBackend() {
    server.pause();
  }

  @Override
  protected void restoreBackend() {
    server.resume();
  }
}
