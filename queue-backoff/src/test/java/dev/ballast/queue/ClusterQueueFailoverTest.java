package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue's master killed ({@code SIGKILL}) under load: 4 worker instances, each on its own cluster
 * client, and a producer enqueueing all along. Redis replicates asynchronously, so without {@link
 * QueueConfig#replicas()} an enqueue the master acknowledged but had not yet sent to its replica is lost
 * when the replica takes over; with {@code replicas(1, ...)} every acknowledged job must run.
 *
 * <p>The producer enqueues with an idempotency key per job and enqueues again after a {@link
 * QueueUnavailableException} (what the docs tell callers to do), so a job counts as acknowledged only when
 * an enqueue returned its id.
 */
class ClusterQueueFailoverTest {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterQueueFailoverTest.class);
  private static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  private static final AtomicInteger names = new AtomicInteger();

  @RegisterExtension static final RedisClusterExtension cluster = RedisClusterExtension.create();

  @Test
  void withReplicasOneNoAcknowledgedJobIsLostWhenTheMasterIsKilled(RedisCluster cluster) throws Exception {
    Outcome outcome = killUnderLoad(cluster, 1);
    assertThat(outcome.lost).as("acknowledged jobs that never ran").isEmpty();
  }

  /**
   * The same without {@code WAIT}: measures what a failover loses (logged; usually a handful of the last
   * enqueues before the kill, sometimes none), and checks that everything acknowledged after it ran.
   */
  @Test
  void withoutReplicasOnlyJobsAcknowledgedBeforeTheKillCanBeLost(RedisCluster cluster) throws Exception {
    Outcome outcome = killUnderLoad(cluster, 0);
    assertThat(outcome.lost).as("lost jobs acknowledged after the kill").allSatisfy(
        job -> assertThat(Integer.parseInt(job.substring(4))).isLessThan(outcome.lastBeforeKill + 1));
  }

  record Outcome(Set<String> lost, int acknowledged, int lastBeforeKill) {}

  private Outcome killUnderLoad(RedisCluster cluster, int replicas) throws Exception {
    String name = "failover-" + replicas + "-" + names.incrementAndGet();
    QueueConfig config = QueueConfig.builder().name(name)
        .replicas(Math.max(replicas, 0), Duration.ofSeconds(1))
        .visibilityTimeout(Duration.ofSeconds(3)) // a claim whose ack was lost comes back soon
        .backoff(dev.ballast.core.Backoff.fixed(Duration.ofMillis(100)))
        .maxAttempts(1000)
        .pollInterval(Duration.ofMillis(50))
        .build();
    RedisServer master = cluster.masterForSlot(SlotHash.getSlot("{ballast:queue:" + name + "}"));
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Set<String> ran = ConcurrentHashMap.newKeySet();
    List<RedisClusterClient> clients = new ArrayList<>();
    List<JobQueue> workers = new ArrayList<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicInteger next = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(300);
    Thread producer = null;
    try {
      for (int i = 0; i < 4; i++) {
        RedisClusterClient client = cluster.newClient();
        clients.add(client);
        JobQueue queue = JobQueue.redis(client, config);
        workers.add(queue);
        queue.register(TEXT, Workers.of(2), job -> ran.add(job.payload()));
      }
      RedisClusterClient producerClient = cluster.newClient();
      clients.add(producerClient);
      JobQueue producerQueue = JobQueue.redis(producerClient, config);
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
            pause(20); // the failover is under way: the same job again, same idempotency key
          }
        }
      }, "failover-producer");
      producer.start();
      assertThat(warm.await(30, TimeUnit.SECONDS)).as("300 enqueues before the kill").isTrue();
      int lastBeforeKill = next.get();
      master.kill();
      RedisServer promoted = cluster.awaitFailoverOf(master);
      LOG.info("Queue {}: master {} killed after job-{}, {} took over", name, master.port(), lastBeforeKill,
          promoted.port());
      int afterFailover = next.get();
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
      LOG.info("Queue {} with replicas={}: {} jobs acknowledged, {} lost in the failover{}", name, replicas, total,
          lost.size(), lost.isEmpty() ? "" : ": " + lost);
      return new Outcome(lost, total, lastBeforeKill);
    } finally {
      producing.set(false);
      if (producer != null) {
        producer.join(10_000);
      }
      for (JobQueue queue : workers) {
        queue.shutdown(Duration.ofSeconds(5));
        queue.close();
      }
      clients.forEach(RedisClusterClient::shutdown);
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

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
