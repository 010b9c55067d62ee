package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.cache.FailoverRun;
import dev.ballast.cache.TestFleet;
import dev.ballast.cache.TieredCache;
import dev.ballast.core.Backoff;
import dev.ballast.degradation.Reason;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.QueueLoad;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master of a local Redis Cluster killed ({@code SIGKILL}) while every Redis-backed part runs on it at
 * once (issue 14): 4 cache instances ({@code FailoverRun}: readers with {@code get}/{@code getAll}, a writer
 * with puts, keys on all three masters), 4 workers and a producer on one queue with the durability the docs
 * recommend ({@code replicas(1, 1 s)}; {@code QueueLoad}), and 3 switchboards. The cache's invalidation
 * channel, the queue and the board all live on the killed master. Each part's load is its own failover
 * test's, reused from that module's test jar. Checks: cache callers see no exception, no read older than an
 * acknowledged write past the dropped-subscription bound, no acknowledged put lost; the queue loses no
 * acknowledged job; the boards converge on a flip made before, one made during and a release made after the
 * failover.
 *
 * <p>About 30 s on top of the cluster's launch: the failover (2 s node timeout and the election), 4 s of cache
 * load after it, restarting the killed node (the queue's {@code WAIT} needs a replica again) and draining the
 * queue.
 */
class ClusterCombinedFailoverTest {

  private static final Logger log = LoggerFactory.getLogger(ClusterCombinedFailoverTest.class);

  @RegisterExtension static final RedisClusterExtension CLUSTER = RedisClusterExtension.create();

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final Duration WHILE_DISCONNECTED = Duration.ofMillis(500);
  /** As in the cache's {@code ClusterFailoverTest}: {@code l1TtlWhileDisconnected} + detection + a margin. */
  private static final Duration BOUND = WHILE_DISCONNECTED.plusMillis(125 + 250 + 100).plusSeconds(1);

  @Test
  void cacheQueueAndSwitchboardsRideOutTheirMasterKilledUnderLoad(RedisCluster cluster) throws Exception {
    RedisServer victim = cluster.masterForSlot(0);
    String cacheName = nameServedBy(cluster, victim, "combined-cache-", n -> "ballast:cache:" + n + ":invalidations");
    String queueName = nameServedBy(cluster, victim, "combined-queue-", n -> "{ballast:queue:" + n + "}");
    String boardName = nameServedBy(cluster, victim, "combined-board-", n -> n);

    QueueConfig queueConfig = QueueConfig.builder().name(queueName)
        .replicas(1, Duration.ofSeconds(1)) // what docs/topologies.md recommends for jobs that must not be lost
        .visibilityTimeout(Duration.ofSeconds(3))
        .backoff(Backoff.fixed(Duration.ofMillis(100)))
        .maxAttempts(1000)
        .pollInterval(Duration.ofMillis(50))
        .build();
    List<RedisClusterClient> boardClients = new ArrayList<>();
    List<Switchboard> boards = new ArrayList<>();
    try (TestFleet fleet = new TestFleet(TestFleet.TestRedis.of(cluster), cacheName);
        QueueLoad queue = new QueueLoad(queueConfig, (config, clients) -> {
          RedisClusterClient client = cluster.newClient();
          clients.add(client::shutdown);
          return JobQueue.redis(client, config);
        })) {
      List<TieredCache<String, String>> caches = new ArrayList<>();
      List<SimpleMeterRegistry> meters = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        meters.add(registry);
        caches.add(fleet.addStrict(b -> b.meterRegistry(registry).l1Ttl(Duration.ofSeconds(30)).ttl(Duration.ofMinutes(5))
            .redisTimeout(Duration.ofMillis(250)).l1TtlWhileDisconnected(WHILE_DISCONNECTED)));
      }
      List<String> keys = new ArrayList<>();
      Set<RedisServer> masters = new HashSet<>();
      for (int i = 0; i < 12; i++) {
        keys.add("k" + i);
        masters.add(cluster.masterForSlot(SlotHash.getSlot("ballast:cache:" + cacheName + ":{k" + i + "}:v")));
      }
      assertThat(masters).as("the cache's keys live on every master").hasSize(3);
      for (String instance : List.of("a", "b", "c")) {
        RedisClusterClient client = cluster.newClient();
        boardClients.add(client);
        boards.add(Switchboard.builder().name(boardName).instanceId(instance).redisTimeout(Duration.ofMillis(500))
            // 6.2 (classic pub/sub): a board whose subscription lived on the killed node converges by its
            // periodic re-read; on 7.x the port moves the sharded subscription and the re-read plays no part.
            .refreshEvery(cluster.version().major() >= 7 ? Duration.ofSeconds(30) : Duration.ofSeconds(2))
            .redis(client).build());
      }

      FailoverRun cacheLoad = new FailoverRun(caches, keys);
      cacheLoad.start();
      queue.start(4);
      queue.awaitMoreAcknowledged(200, DEADLINE);
      boards.get(0).degrade(SwitchName.READ_ONLY, new Reason("alice", "before the failover"));
      awaitAll(boards, Switchboard::isReadOnly, "read-only before the failover");

      cacheLoad.quietWrites(); // the cache's writes pause around the kill (FailoverRun: asynchronous replication)
      victim.kill();
      // Read once the master is dead (kill() waits for it), as the queue's own failover test does.
      int killedAtJob = queue.next();
      cacheLoad.resumeWrites();
      // A flip made while the board's master is down applies locally at once and waits for the new master.
      boards.get(1).degrade(SwitchName.SERVE_CACHED, new Reason("bob", "during the failover"));
      RedisServer promoted = cluster.awaitFailoverOf(victim);
      queue.releaseBacklog();
      cacheLoad.runFor(Duration.ofSeconds(4));
      List<String> lostPutsBeforeHeal = cacheLoad.lostWrites(fleet::inRedis);

      // With one replica per master the promoted master has none until the killed node is back: the queue's
      // WAIT refuses enqueues until then. Restart it, as operations would.
      victim.start();
      cluster.awaitHealthy();
      queue.awaitMoreAcknowledged(200, DEADLINE);
      int acknowledgedJobs = queue.stopProducing();
      Set<String> lostJobs = queue.awaitLost(DEADLINE);
      boards.get(2).release(SwitchName.READ_ONLY, "carol");
      awaitAll(boards, b -> !b.isReadOnly() && b.isServingCached(), "converged after the failover");
      for (SimpleMeterRegistry registry : meters) {
        await().atMost(DEADLINE).until(() -> registry.get("ballast.cache.resyncs").functionCounter().count() >= 1);
      }

      log.info("Combined failover ({} took over from {}): cache {} reads, {} acknowledged puts, {} deferred, {}"
          + " exceptions; queue {} jobs acknowledged (killed at job-{}), {} enqueues refused, {} lost; switchboards"
          + " converged", promoted, victim, cacheLoad.readCount(), cacheLoad.acknowledgedWrites(),
          cacheLoad.deferred.get(), cacheLoad.exceptions.size(), acknowledgedJobs, killedAtJob, queue.refused(),
          lostJobs.size());
      assertThat(cacheLoad.exceptions).as("cache caller exceptions").isEmpty();
      assertThat(cacheLoad.staleReads(BOUND)).as("reads older than an acknowledged put by more than " + BOUND).isEmpty();
      assertThat(lostPutsBeforeHeal).as("acknowledged puts the failover lost").isEmpty();
      assertThat(cacheLoad.lostWrites(fleet::inRedis)).as("entries older than their last acknowledged put after the"
          + " heal").isEmpty();
      assertThat(lostJobs).as("acknowledged jobs that never ran").isEmpty();
    } finally {
      boards.forEach(Switchboard::close);
      boardClients.forEach(RedisClusterClient::shutdown);
    }
  }

  private static void awaitAll(List<Switchboard> boards, Predicate<Switchboard> condition, String what) {
    await(what).atMost(DEADLINE).untilAsserted(() -> assertThat(boards).allMatch(condition, what));
  }

  /** The first {@code stem + i} whose slot ({@code slotKey} of it) {@code master} serves. */
  private static String nameServedBy(RedisCluster cluster, RedisServer master, String stem, UnaryOperator<String> slotKey) {
    for (int i = 0; i < 1000; i++) {
      String name = stem + i;
      if (cluster.masterForSlot(SlotHash.getSlot(slotKey.apply(name))).equals(master)) {
        return name;
      }
    }
    throw new IllegalStateException("no " + stem + "<n> in the slots of " + master);
  }
}
