package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue's slot moved to another master ({@link RedisCluster#beginMigration}: {@code SETSLOT
 * IMPORTING/MIGRATING}, {@code GETKEYSINSLOT} + {@code MIGRATE ... KEYS} 50 keys at a time, {@code SETSLOT
 * NODE}) while 4 workers run its jobs and a producer enqueues ({@link QueueLoad}: an idempotency key per job,
 * enqueued again after {@link QueueUnavailableException}). While the queue's keys are split, or any key a
 * script names is absent, Redis answers {@code TRYAGAIN} to the queue's scripts: enqueues are refused and
 * retried, claims wait. Checked: no acknowledged job is lost; a job runs more than once only as
 * at-least-once delivery allows (logged: an ack the migration kept from Redis lets the job run again).
 *
 * <p>Before the fix this failed at once: {@code queue.lua} declared only the queue's base name as {@code
 * KEYS[1]}, a key that never exists itself, and derives every key it touches, so a migrating source answered
 * {@code ASK} to every queue script and the script ran on the importing target against the part of the queue
 * already moved, creating keys the source still held: the next {@code MIGRATE} failed with {@code BUSYKEY}
 * (7.0.15: "MIGRATE of 45 keys of slot 14292 ... BUSYKEY Target key name already exists"). With {@code
 * MIGRATE ... REPLACE} the target's state would have been overwritten: jobs lost.
 */
class ClusterQueueSlotMigrationTest {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterQueueSlotMigrationTest.class);

  @RegisterExtension static final RedisClusterExtension extension = RedisClusterExtension.create();

  @Test
  void noAcknowledgedJobIsLostWhileTheQueuesSlotMoves(RedisCluster cluster) throws Exception {
    String name = "migrating";
    int slot = SlotHash.getSlot("{ballast:queue:" + name + "}");
    RedisServer from = cluster.masterForSlot(slot);
    RedisServer to = cluster.masters().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();
    QueueConfig config = QueueConfig.builder().name(name)
        .visibilityTimeout(Duration.ofSeconds(3)) // a claim whose ack was refused comes back soon
        .backoff(dev.ballast.core.Backoff.fixed(Duration.ofMillis(100)))
        .maxAttempts(1000)
        .pollInterval(Duration.ofMillis(50))
        .build();
    try (QueueLoad load = new QueueLoad(config, (c, clients) -> {
      RedisClusterClient client = cluster.newClient();
      clients.add(client::shutdown);
      return JobQueue.redis(client, c);
    })) {
      load.start(4);
      load.releaseBacklog();
      load.awaitMoreAcknowledged(300, Duration.ofSeconds(30));
      int refusedBefore = load.refused();
      int atStart = load.next();
      RedisCluster.SlotMigration migration = cluster.beginMigration(slot, from, to);
      while (migration.moveKeys(50) > 0) {
        int runs = load.runs();
        int refused = load.refused();
        // Each step after the workers ran a job or the producer was refused once: the load meets every split.
        await().atMost(Duration.ofSeconds(10)).until(() -> load.runs() > runs || load.refused() > refused);
      }
      migration.finish();
      int atFinish = load.next();
      load.awaitMoreAcknowledged(300, Duration.ofSeconds(30));
      int acknowledged = load.stopProducing();
      Set<String> lost = load.awaitLost(Duration.ofSeconds(30));
      LOG.info("Queue {}: slot {} moved from {} to {} ({} keys) while job-{} to job-{} were enqueued; {} acknowledged,"
          + " {} enqueues refused during the move, {} runs of {} distinct jobs, {} lost", name, slot, from.port(),
          to.port(), migration.moved(), atStart, atFinish, acknowledged, load.refused() - refusedBefore, load.runs(),
          load.distinctRuns(), lost.size());
      assertThat(lost).as("acknowledged jobs that never ran").isEmpty();
      assertThat(cluster.masterForSlot(slot)).isEqualTo(to);
      assertThat(migration.moved()).isPositive();
    }
  }
}
