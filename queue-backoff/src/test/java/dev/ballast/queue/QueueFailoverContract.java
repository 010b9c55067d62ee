package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover test of a queue, run on a Redis Cluster ({@link ClusterQueueFailoverTest}) and a Sentinel
 * setup ({@link SentinelQueueFailoverTest}). A queue's master killed ({@code SIGKILL}) under load: 4 worker instances, each on its own cluster
 * client, behind a producer enqueueing all along (their handlers wait until the failover, so a backlog
 * builds up: what a failover can lose is jobs stored but not yet run). Redis replicates asynchronously, so without {@link
 * QueueConfig#replicas()} an enqueue the master acknowledged but had not yet sent to its replica is lost
 * when the replica takes over; with {@code replicas(1, ...)} every acknowledged job must run.
 *
 * <p>With one replica per master, the promoted master has none until the killed node is restarted (it
 * rejoins as a replica): with {@code replicas(1)} enqueues are refused in between, so the test restarts it.
 *
 * <p>The producer enqueues with an idempotency key per job and enqueues again after a {@link
 * QueueUnavailableException} (what the docs tell callers to do), so a job counts as acknowledged only when
 * an enqueue returned its id.
 */
abstract class QueueFailoverContract {

  private static final Logger LOG = LoggerFactory.getLogger(QueueFailoverContract.class);
  private static final AtomicInteger names = new AtomicInteger();

  /** The master the queue named {@code queue} lives on now. */
  abstract RedisServer masterOf(String queue);

  /** The replica of {@code master}. */
  abstract RedisServer replicaOf(RedisServer master);

  /** A queue on a new client of its own; the client is added to {@code clients} for the test to shut down. */
  abstract JobQueue openOnNewClient(QueueConfig config, List<AutoCloseable> clients);

  /** Waits until a replica took over from {@code master} (killed) and returns it. */
  abstract RedisServer awaitFailoverOf(RedisServer master);

  /** Waits until the topology is healthy again (the killed node back as a replica). */
  abstract void awaitHealthy();

  @Test
  void withReplicasOneNoAcknowledgedJobIsLostWhenTheMasterIsKilled() throws Exception {
    Outcome outcome = killUnderLoad(1);
    assertThat(outcome.lost).as("acknowledged jobs that never ran").isEmpty();
  }

  /**
   * The same without {@code WAIT}: measures what a failover loses (logged), and checks that only jobs
   * acknowledged while the replica lagged can be lost: everything acknowledged before or after ran.
   */
  @Test
  void withoutReplicasOnlyJobsAcknowledgedWhileTheReplicaLaggedAreLost() throws Exception {
    Outcome outcome = killUnderLoad(0);
    assertThat(outcome.lost).as("lost jobs outside the lag window").allSatisfy(job -> assertThat(
        Integer.parseInt(job.substring(4))).isBetween(outcome.lagStart - 1, outcome.lastBeforeKill));
  }

  record Outcome(Set<String> lost, int acknowledged, int lagStart, int lastBeforeKill) {}

  private Outcome killUnderLoad(int replicas) throws Exception {
    String name = "failover-" + replicas + "-" + names.incrementAndGet();
    QueueConfig config = QueueConfig.builder().name(name)
        .replicas(Math.max(replicas, 0), Duration.ofSeconds(1))
        .visibilityTimeout(Duration.ofSeconds(3)) // a claim whose ack was lost comes back soon
        .backoff(dev.ballast.core.Backoff.fixed(Duration.ofMillis(100)))
        .maxAttempts(1000)
        .pollInterval(Duration.ofMillis(50))
        .build();
    RedisServer master = masterOf(name);
    try (QueueLoad load = new QueueLoad(config, this::openOnNewClient)) {
      load.start(4);
      load.awaitMoreAcknowledged(300, Duration.ofSeconds(30)); // before the kill
      // Replication lag made visible: the replica frozen and its link cut (so nothing more reaches even its
      // socket buffer), the master acknowledges writes the replica never gets (replicas 0), or enqueues
      // wait and are refused (replicas 1). Then the master dies and the replica, thawed, takes over.
      RedisServer replica = replicaOf(master);
      int refusedBefore = load.refused();
      int lagStart = load.next();
      replica.pause();
      io.lettuce.core.RedisClient direct = master.newClient();
      try (var connection = direct.connect()) {
        assertThat(connection.sync().clientKill(io.lettuce.core.KillArgs.Builder.typeSlave())).isEqualTo(1L);
      } finally {
        direct.shutdown();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> load.next() >= lagStart + 50 || load.refused() > refusedBefore);
      master.kill();
      // Read once the master is dead (kill() waits for it): the producer goes on enqueueing until then, and
      // an ack on its way when it died is for job-lastBeforeKill at most.
      int lastBeforeKill = load.next();
      replica.resume();
      RedisServer promoted = awaitFailoverOf(master);
      load.releaseBacklog();
      LOG.info("Queue {}: master {} killed after job-{}, {} took over at job-{}", name, master.port(),
          lastBeforeKill, promoted.port(), load.next());
      // The promoted master has no replica until the dead one is back: with replicas(1) every enqueue is
      // refused until then (durability over availability). Restart it, as operations would.
      master.start();
      awaitHealthy();
      LOG.info("Queue {}: {} back as a replica at job-{}", name, master.port(), load.next());
      load.awaitMoreAcknowledged(300, Duration.ofSeconds(30));
      int total = load.stopProducing();
      // Everything acknowledged and kept runs within a few visibility timeouts; what is left is lost.
      Set<String> lost = load.awaitLost(Duration.ofSeconds(30));
      LOG.info("Queue {} with replicas={}: {} jobs acknowledged ({} while the replica lagged), {} lost in the"
          + " failover{}; {} enqueues refused", name, replicas, total, lastBeforeKill - lagStart, lost.size(),
          lost.isEmpty() ? "" : " (" + first(lost) + " to " + last(lost) + ")", load.refused());
      return new Outcome(lost, total, lagStart, lastBeforeKill);
    }
  }

  private static String first(Set<String> jobs) {
    return jobs.stream().min(java.util.Comparator.comparingInt(j -> Integer.parseInt(j.substring(4)))).orElse("");
  }

  private static String last(Set<String> jobs) {
    return jobs.stream().max(java.util.Comparator.comparingInt(j -> Integer.parseInt(j.substring(4)))).orElse("");
  }
}
