package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisSentinelExtension;
import dev.ballast.testsupport.RedisSentinelSetup;
import dev.ballast.testsupport.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterFailoverTest} in small on Sentinel: two instances, each on its own client on the
 * {@code redis-sentinel://} URI, under load while the master is killed and the Sentinels promote the
 * replica. Callers see no exception; the staleness bound holds; the clients follow the new master.
 *
 * <p>About 25 s: launching the setup, the Sentinels' failover (2 s down-after, then the election) and the
 * heal that restarts the old master are most of it; the load runs 4 s after the failover.
 */
class SentinelFailoverTest {

  private static final Logger log = LoggerFactory.getLogger(SentinelFailoverTest.class);

  @RegisterExtension static final RedisSentinelExtension SENTINEL = RedisSentinelExtension.create();

  private static final Duration WHILE_DISCONNECTED = Duration.ofMillis(500);
  /** As in {@link ClusterFailoverTest}. */
  private static final Duration BOUND = WHILE_DISCONNECTED.plusMillis(125 + 250 + 100).plusSeconds(1);

  @Test
  void readersSeeNoExceptionAndTheStalenessBoundWhileTheMasterFailsOver(RedisSentinelSetup setup) throws Exception {
    TestFleet fleet = new TestFleet(TestFleet.TestRedis.of(setup), "sentinel-failover");
    try (fleet) {
      List<TieredCache<String, String>> caches = new ArrayList<>();
      List<SimpleMeterRegistry> meters = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        caches.add(fleet.addStrict(b -> b.meterRegistry(registry(meters)).l1Ttl(Duration.ofSeconds(30)).ttl(Duration.ofMinutes(5))
            .redisTimeout(Duration.ofMillis(250)).l1TtlWhileDisconnected(WHILE_DISCONNECTED)));
      }
      List<String> keys = List.of("a", "b", "c", "d", "e", "f");
      FailoverRun run = new FailoverRun(caches, keys);
      run.start();
      run.quietWrites();
      RedisServer old = setup.master();
      old.kill();
      run.resumeWrites();
      RedisServer promoted = setup.awaitFailoverFrom(old);
      run.runFor(Duration.ofSeconds(4));

      log.info("Sentinel failover ({} took over from {}): {} reads, {} acknowledged writes, {} deferred, {} exceptions",
          promoted, old, run.readCount(), run.acknowledgedWrites(), run.deferred.get(), run.exceptions.size());
      assertThat(run.exceptions).as("caller exceptions").isEmpty();
      // Every instance lost a connection to the dead master and resynced once its subscription was proved
      // back (after the heal for a classic subscription pinned to the dead node, 6.2).
      setup.heal();
      for (SimpleMeterRegistry registry : meters) {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> registry.get("ballast.cache.resyncs").functionCounter().count() >= 1);
      }
      assertThat(run.staleReads(BOUND)).as("reads older than an acknowledged write by more than " + BOUND).isEmpty();
      assertThat(run.lostWrites(fleet::inRedis)).as("acknowledged writes the failover lost").isEmpty();
    }
  }

  private static SimpleMeterRegistry registry(List<SimpleMeterRegistry> meters) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    meters.add(registry);
    return registry;
  }
}
