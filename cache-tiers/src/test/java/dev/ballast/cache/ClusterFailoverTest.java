package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.SlotHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Four cache instances, each on its own cluster client, read and write keys spread over the three masters
 * while the master that owns the invalidation channel's slot (and a third of the keys) is killed and its
 * replica takes over: callers see no exception, and no read began more than the dropped-subscription bound
 * after an acknowledged write yet returned an older value. L1 lives 30 s here, so only invalidation (or its
 * loss, capping L1 at {@code l1TtlWhileDisconnected}) makes other instances' writes visible. Sharded
 * pub/sub on 7.x, classic on the embedded 6.2.
 *
 * <p>About 20 s: launching the cluster, the failover itself (2 s node timeout, then the election) and the
 * heal that restarts the old master are most of it; the load runs 4 s after the failover.
 */
class ClusterFailoverTest {

  private static final Logger log = LoggerFactory.getLogger(ClusterFailoverTest.class);

  @RegisterExtension static final RedisClusterExtension CLUSTER = RedisClusterExtension.create();

  private static final Duration WHILE_DISCONNECTED = Duration.ofMillis(500);
  /**
   * {@code l1TtlWhileDisconnected} + detection (a heartbeat tick, 125 ms, + the 250 ms Redis timeout + the
   * test clients' 100 ms reconnect delay) + a margin for this shared two-core machine.
   */
  private static final Duration BOUND = WHILE_DISCONNECTED.plusMillis(125 + 250 + 100).plusSeconds(1);

  @Test
  void readersSeeNoExceptionAndTheStalenessBoundWhileTheChannelsMasterFailsOver(RedisCluster cluster)
      throws Exception {
    String name = "failover";
    TestFleet fleet = new TestFleet(TestFleet.TestRedis.of(cluster), name);
    try (fleet) {
      List<TieredCache<String, String>> caches = new ArrayList<>();
      List<SimpleMeterRegistry> meters = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        caches.add(fleet.addStrict(b -> b.meterRegistry(registry(meters)).l1Ttl(Duration.ofSeconds(30)).ttl(Duration.ofMinutes(5))
            .redisTimeout(Duration.ofMillis(250)).l1TtlWhileDisconnected(WHILE_DISCONNECTED)));
      }
      List<String> keys = new ArrayList<>();
      Set<RedisServer> masters = new HashSet<>();
      for (int i = 0; i < 12; i++) {
        String key = "k" + i;
        keys.add(key);
        masters.add(cluster.masterForSlot(SlotHash.getSlot("ballast:cache:" + name + ":{" + key + "}:v")));
      }
      assertThat(masters).as("the keys live on every master").hasSize(3);
      RedisServer victim = cluster.masterForSlot(SlotHash.getSlot("ballast:cache:" + name + ":invalidations"));

      FailoverRun run = new FailoverRun(caches, keys);
      run.start();
      run.quietWrites();
      victim.kill();
      run.resumeWrites();
      RedisServer promoted = cluster.awaitFailoverOf(victim);
      run.runFor(Duration.ofSeconds(4));

      log.info("Cluster failover ({} took over from {}): {} reads, {} acknowledged writes, {} deferred, {} exceptions",
          promoted, victim, run.readCount(), run.acknowledgedWrites(), run.deferred.get(), run.exceptions.size());
      assertThat(run.exceptions).as("caller exceptions").isEmpty();
      List<String> lostBeforeHeal = run.lostWrites(fleet::inRedis);
      log.info("lost before heal: {}", lostBeforeHeal);
      // Every instance lost a connection to the dead master and resynced once its subscription was proved
      // back (after the heal for a classic subscription pinned to the dead node, 6.2).
      cluster.heal();
      for (SimpleMeterRegistry registry : meters) {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> registry.get("ballast.cache.resyncs").functionCounter().count() >= 1);
      }
      assertThat(run.staleReads(BOUND)).as("reads older than an acknowledged write by more than " + BOUND).isEmpty();
      assertThat(lostBeforeHeal).as("acknowledged writes the failover lost").isEmpty();
      // Once the dead master is back, Lettuce re-sends the commands it held for it: a put that timed out
      // (DEFERRED) during the failover must not land then over a newer acknowledged value (write.lua's deadline).
      assertThat(run.lostWrites(fleet::inRedis)).as("entries older than their last acknowledged write once the old"
          + " master is back").isEmpty();
    }
  }

  private static SimpleMeterRegistry registry(List<SimpleMeterRegistry> meters) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    meters.add(registry);
    return registry;
  }
}
