package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
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
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Set<String> ran = ConcurrentHashMap.newKeySet();
    List<AutoCloseable> clients = new ArrayList<>();
    List<JobQueue> workers = new ArrayList<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(300);
    CountDownLatch backlogGate = new CountDownLatch(1);
    Thread producer = null;
    try {
      for (int i = 0; i < 4; i++) {
        JobQueue queue = openOnNewClient(config, clients);
        workers.add(queue);
        queue.register(TEXT, Workers.of(2), job -> {
          // Workers behind the producer (a backlog) until the failover: the jobs a failover can lose are
          // those stored but not yet run.
          assertThat(backlogGate.await(60, TimeUnit.SECONDS)).isTrue();
          ran.add(job.payload());
        });
      }
      JobQueue producerQueue = openOnNewClient(config, clients);
      workers.add(producerQueue);
      producerQueue.declare(TEXT);
      producer = new Thread(() -> {
        while (producing.get()) {
          String job = "job-" + next.get();
          try {
            producerQueue.enqueue(TEXT, job, JobOptions.builder().idempotencyKey(job).build());
            acknowledged.add(job);
            next.incrementAndGet();
            warm.countDown();
          } catch (QueueUnavailableException e) {
            refused.incrementAndGet();
            pause(20); // the failover is under way: the same job again, same idempotency key
          }
        }
      }, "failover-producer");
      producer.start();
      assertThat(warm.await(30, TimeUnit.SECONDS)).as("300 enqueues before the kill").isTrue();
      // Replication lag made visible: the replica frozen and its link cut (so nothing more reaches even its
      // socket buffer), the master acknowledges writes the replica never gets (replicas 0), or enqueues
      // wait and are refused (replicas 1). Then the master dies and the replica, thawed, takes over.
      RedisServer replica = replicaOf(master);
      int refusedBefore = refused.get();
      int lagStart = next.get();
      replica.pause();
      io.lettuce.core.RedisClient direct = master.newClient();
      try (var connection = direct.connect()) {
        assertThat(connection.sync().clientKill(io.lettuce.core.KillArgs.Builder.typeSlave())).isEqualTo(1L);
      } finally {
        direct.shutdown();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> next.get() >= lagStart + 50 || refused.get() > refusedBefore);
      master.kill();
      // Read once the master is dead (kill() waits for it): the producer goes on enqueueing until then, and
      // an ack on its way when it died is for job-lastBeforeKill at most.
      int lastBeforeKill = next.get();
      replica.resume();
      RedisServer promoted = awaitFailoverOf(master);
      backlogGate.countDown();
      LOG.info("Queue {}: master {} killed after job-{}, {} took over at job-{}", name, master.port(),
          lastBeforeKill, promoted.port(), next.get());
      // The promoted master has no replica until the dead one is back: with replicas(1) every enqueue is
      // refused until then (durability over availability). Restart it, as operations would.
      master.start();
      awaitHealthy();
      int afterFailover = next.get();
      LOG.info("Queue {}: {} back as a replica at job-{}", name, master.port(), afterFailover);
      await().atMost(Duration.ofSeconds(30)).until(() -> next.get() >= afterFailover + 300);
      producing.set(false);
      producer.join(10_000);
      assertThat(producer.isAlive()).isFalse();
      int total = acknowledged.size();
      // Everything acknowledged and kept runs within a few visibility timeouts; what is left is lost.
      JobQueue observer = workers.get(0);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .until(() -> ran.containsAll(acknowledged) || drained(observer));
      Set<String> lost = new java.util.TreeSet<>();
      acknowledged.stream().filter(job -> !ran.contains(job)).forEach(lost::add);
      LOG.info("Queue {} with replicas={}: {} jobs acknowledged ({} while the replica lagged), {} lost in the"
          + " failover{}; {} enqueues refused", name, replicas, total, lastBeforeKill - lagStart, lost.size(),
          lost.isEmpty() ? "" : " (" + first(lost) + " to " + last(lost) + ")", refused.get());
      return new Outcome(lost, total, lagStart, lastBeforeKill);
    } finally {
      backlogGate.countDown();
      producing.set(false);
      if (producer != null) {
        producer.join(10_000);
      }
      for (JobQueue queue : workers) {
        queue.shutdown(Duration.ofSeconds(5));
        queue.close();
      }
      for (AutoCloseable client : clients) {
        client.close();
      }
    }
  }

  /**
   * True when nothing is left in the queue: a job not run by now never will be, it was lost (a handler
   * records its job before the ack, so a job no longer in flight has been recorded).
   */
  private static boolean drained(JobQueue queue) {
    QueueStats stats = queue.stats();
    return stats.ready() == 0 && stats.delayed() == 0 && stats.inFlight() == 0;
  }

  private static String first(Set<String> jobs) {
    return jobs.stream().min(java.util.Comparator.comparingInt(j -> Integer.parseInt(j.substring(4)))).orElse("");
  }

  private static String last(Set<String> jobs) {
    return jobs.stream().max(java.util.Comparator.comparingInt(j -> Integer.parseInt(j.substring(4)))).orElse("");
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
