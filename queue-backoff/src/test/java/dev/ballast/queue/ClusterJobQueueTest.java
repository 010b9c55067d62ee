package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.queue.internal.DefaultJobQueue;
import dev.ballast.queue.internal.RedisStore;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link JobQueueContract} on a local Redis Cluster (3 masters, 3 replicas) through {@code
 * JobQueue.redis(RedisClusterClient, ...)}, and where a queue's keys land: every key of one queue in one
 * slot (so its scripts are atomic on one master), several queues over several masters.
 */
class ClusterJobQueueTest extends JobQueueContract {

  @RegisterExtension static final RedisClusterExtension cluster = RedisClusterExtension.create();

  static RedisClusterClient client;
  static StatefulRedisClusterConnection<String, String> admin;

  @BeforeAll
  static void connect(RedisCluster cluster) {
    client = cluster.newClient();
    admin = client.connect();
  }

  @AfterAll
  static void disconnect() {
    admin.close();
    client.shutdown();
  }

  @Override
  JobQueue newQueue(QueueConfig config) {
    return JobQueue.redis(client, config);
  }

  @Override
  JobQueue sameBackend(JobQueue first, QueueConfig config) {
    return new DefaultJobQueue(config, RedisStore.connect(client, config));
  }

  @Override
  int bigRunJobs() {
    return 5000;
  }

  @Test
  void everyKeyOfOneQueueIsInOneSlot(RedisCluster cluster) throws Exception {
    JobQueue q = open(config().maxAttempts(1).build());
    q.declare(TEXT);
    String tag = "{ballast:queue:" + q.name() + "}";
    int slot = SlotHash.getSlot(tag);
    CountDownLatch ran = new CountDownLatch(3);
    q.register(TEXT, Workers.of(2), job -> {
      ran.countDown();
      throw new IllegalStateException("to the dead letters");
    });
    q.enqueue(TEXT, "a", JobOptions.builder().idempotencyKey("once").build());
    q.enqueue(TEXT, "b", JobOptions.builder().delay(Duration.ofHours(1)).build());
    q.enqueue(TEXT, "c");
    q.enqueue(TEXT, "d");
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    // Every key the scripts made (jobs, ready lists, delayed, in flight, dead letters, idempotency keys)
    // is on the master of the tag's slot, and hashes to that slot.
    RedisServer master = cluster.masterForSlot(slot);
    List<String> keys = admin.getConnection(master.host(), master.port()).sync().keys(tag + "*");
    assertThat(keys).hasSizeGreaterThanOrEqualTo(4);
    assertThat(keys).allSatisfy(key -> assertThat(SlotHash.getSlot(key)).as(key).isEqualTo(slot));
    for (RedisServer other : cluster.masters()) {
      if (!other.equals(master)) {
        assertThat(admin.getConnection(other.host(), other.port()).sync().keys(tag + "*")).isEmpty();
      }
    }
  }

  @Test
  void queuesWithDifferentNamesSpreadOverTheMasters(RedisCluster cluster) {
    Set<RedisServer> owners = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      JobQueue q = open(QueueConfig.builder().name("spread-" + i).build());
      q.declare(TEXT);
      q.enqueue(TEXT, "x");
      String tag = "{ballast:queue:spread-" + i + "}";
      RedisServer master = cluster.masterForSlot(SlotHash.getSlot(tag));
      assertThat(admin.getConnection(master.host(), master.port()).sync().keys(tag + "*")).isNotEmpty();
      owners.add(master);
    }
    assertThat(owners).hasSize(3);
  }

  @Test
  void aJobEnqueuedThroughAnotherClientWakesAnIdleWorkerOnTheCluster(RedisCluster cluster) throws Exception {
    RedisClusterClient other = cluster.newClient();
    String name = "wake-" + System.nanoTime();
    try (JobQueue a = JobQueue.redis(other, QueueConfig.builder().name(name).build());
        JobQueue b = JobQueue.redis(client, QueueConfig.builder().name(name).pollInterval(Duration.ofMinutes(1))
            .build())) {
      a.declare(TEXT);
      CountDownLatch warmedUp = new CountDownLatch(1);
      CountDownLatch ran = new CountDownLatch(1);
      b.register(TEXT, Workers.of(1), job -> (job.payload().equals("warm-up") ? warmedUp : ran).countDown());
      b.enqueue(TEXT, "warm-up"); // wakes B itself; after it B is idle until its poll, a minute away
      assertThat(warmedUp.await(10, TimeUnit.SECONDS)).isTrue();
      String channel = "{ballast:queue:" + name + "}:ready";
      // B's classic subscription lives on one node; A's script publishes on the queue's master.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> b.stats().inFlight() == 0 && subscribers(cluster, channel) == 1);
      a.enqueue(TEXT, "from A");
      assertThat(ran.await(10, TimeUnit.SECONDS)).as("the job from A started on B before its poll").isTrue();
    } finally {
      other.shutdown();
    }
  }

  @Test
  void withReplicasOneAnEnqueueReturnsOnlyOnceTheReplicaHasTheJob(RedisCluster cluster) {
    JobQueue q = open(config().replicas(1, Duration.ofSeconds(1)).build());
    q.declare(TEXT);
    String tag = "{ballast:queue:" + q.name() + "}";
    RedisServer replica = cluster.replicaOf(cluster.masterForSlot(SlotHash.getSlot(tag)));
    for (int i = 0; i < 20; i++) {
      String id = q.enqueue(TEXT, "kept-" + i);
      // No waiting here: WAIT already did.
      assertThat(readFromReplica(replica, tag + ":job:" + id)).as("job %s on the replica", id).isEqualTo(1L);
    }
  }

  /**
   * The cluster side of {@link RedisReplicaWaitTest}: an enqueue blocked in {@code WAIT} (the queue's
   * replica frozen) must not hold up the instance's other calls. Before, the {@code WAIT} ran on Lettuce's
   * shared connection to the master, the one slot routing sends every call of the queue on. A client of
   * its own with a 20 s command timeout lets the replica timeout be 8 s: held up, {@code stats()} would take
   * seconds.
   */
  @Test
  void anEnqueueWaitingForALaggingReplicaHoldsUpNoOtherCallOfTheQueue(RedisCluster cluster) throws Exception {
    List<io.lettuce.core.RedisURI> seeds = cluster.uris().stream()
        .map(uri -> io.lettuce.core.RedisURI.builder(uri).withTimeout(Duration.ofSeconds(20)).build()).toList();
    RedisClusterClient patient = RedisClusterClient.create(seeds);
    patient.setOptions(io.lettuce.core.cluster.ClusterClientOptions.builder()
        .timeoutOptions(io.lettuce.core.TimeoutOptions.enabled()).build());
    ExecutorService callers = Executors.newCachedThreadPool();
    try (JobQueue q = JobQueue.redis(patient, config().replicas(1, Duration.ofSeconds(8)).build())) {
      q.declare(TEXT);
      q.enqueue(TEXT, "before");
      String tag = "{ballast:queue:" + q.name() + "}";
      RedisServer master = cluster.masterForSlot(SlotHash.getSlot(tag));
      RedisServer replica = cluster.replicaOf(master);
      var masterAdmin = admin.getConnection(master.host(), master.port()).sync();
      replica.pause();
      CompletableFuture<String> waiting;
      try {
        waiting = CompletableFuture.supplyAsync(() -> q.enqueue(TEXT, "during"), callers);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
            .until(() -> masterAdmin.clientList().lines().filter(line -> line.contains(" cmd=wait ")).count() == 1);
        QueueStats stats = CompletableFuture.supplyAsync(q::stats, callers).get(3, TimeUnit.SECONDS);
        assertThat(stats.ready()).isEqualTo(2);
        assertThat(waiting).as("the enqueue still waits for its replica").isNotDone();
      } finally {
        replica.resume();
      }
      assertThat(waiting.get(15, TimeUnit.SECONDS)).isNotBlank();
    } finally {
      callers.shutdownNow();
      patient.shutdown();
      cluster.awaitHealthy();
    }
  }

  @Test
  void aQueueFromConfigurationRunsOnAClusterClientResource(RedisCluster cluster) throws Exception {
    String name = "cfg-" + System.nanoTime();
    String yaml = """
        queues:
          %s:
            replicas: 1
            replicaTimeout: 500ms
        """.formatted(name);
    ConfigContext context = ConfigContext.builder().resource("redis", client).build();
    try (Registry registry = Configuration.parse(yaml, "test.yaml").buildRegistry(context)) {
      JobQueue q = registry.get(name, JobQueue.class);
      assertThat(q.config().replicas()).isEqualTo(1);
      assertThat(q.config().replicaTimeout()).isEqualTo(Duration.ofMillis(500));
      q.declare(TEXT);
      String id = q.enqueue(TEXT, "from configuration");
      String tag = "{ballast:queue:" + name + "}";
      RedisServer master = cluster.masterForSlot(SlotHash.getSlot(tag));
      assertThat(admin.getConnection(master.host(), master.port()).sync().exists(tag + ":job:" + id)).isEqualTo(1L);
    }
  }

  /** Subscribers of a classic channel over all nodes (each node counts only its own). */
  private static long subscribers(RedisCluster cluster, String channel) {
    long total = 0;
    for (RedisServer node : cluster.nodes()) {
      total += admin.getConnection(node.host(), node.port()).sync().pubsubNumsub(channel).get(channel);
    }
    return total;
  }

  private static long readFromReplica(RedisServer replica, String key) {
    var node = admin.getConnection(replica.host(), replica.port());
    node.sync().readOnly();
    return node.sync().exists(key);
  }
}
