package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code replicas(1, ...)} on a master with one replica, the replica frozen ({@code SIGSTOP}) so every
 * {@code WAIT} blocks for its whole timeout: the {@code WAIT} must delay only the callers that asked for
 * it. Redis reads nothing more from a client blocked in {@code WAIT}, so on the queue's one data connection
 * it held up every other command of the instance (claims, stats, ...) and queued concurrent enqueues one
 * behind another.
 *
 * <p>The master is asked which of its clients are blocked in {@code WAIT} ({@code CLIENT LIST}), so the
 * test knows an enqueue is waiting without sleeping. The client's command timeout is long (20 s) so the
 * replica timeout (8 s) can be long too: a call held up behind a {@code WAIT} would take seconds, a free
 * one milliseconds.
 */
class RedisReplicaWaitTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(8);
  /** Far below {@link #REPLICA_TIMEOUT}, far above what a free call takes even on a loaded machine. */
  static final long PROMPT_SECONDS = 3;
  static final AtomicInteger names = new AtomicInteger();

  static RedisServer master;
  static RedisServer replica;
  static RedisClient admin;
  static StatefulRedisConnection<String, String> masterAdmin;

  RedisClient client;
  JobQueue queue;
  final ExecutorService callers = Executors.newCachedThreadPool();

  @BeforeAll
  static void replicate() {
    master = RedisServer.launch();
    replica = RedisServer.launch();
    admin = RedisClient.create();
    masterAdmin = admin.connect(RedisURI.create(master.uri()));
    try (StatefulRedisConnection<String, String> r = admin.connect(RedisURI.create(replica.uri()))) {
      r.sync().replicaof(master.host(), master.port());
      await().atMost(Duration.ofSeconds(20)).until(() -> r.sync().info("replication").contains("master_link_status:up"));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> masterAdmin.sync().info("replication").contains("connected_slaves:1"));
  }

  @AfterAll
  static void shutDown() {
    masterAdmin.close();
    admin.shutdown();
    replica.close();
    master.close();
  }

  void open() {
    RedisURI uri = RedisURI.create(master.uri());
    uri.setTimeout(Duration.ofSeconds(20));
    client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()).build());
    queue = JobQueue.redis(client, QueueConfig.builder().name("wait" + names.incrementAndGet())
        .replicas(1, REPLICA_TIMEOUT).pollInterval(Duration.ofMillis(20)).build());
    queue.declare(TEXT);
  }

  @AfterEach
  void close() throws Exception {
    replica.resume();
    callers.shutdownNow();
    assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    if (queue != null) {
      queue.close();
    }
    if (client != null) {
      client.shutdown();
    }
  }

  /** How many clients of the master are blocked in {@code WAIT} now. */
  static long blockedInWait() {
    return masterAdmin.sync().clientList().lines().filter(line -> line.contains(" cmd=wait ")).count();
  }

  @Test
  void aWorkerClaimsAndStatsAnswerWhileAnEnqueueWaitsForALaggingReplica() throws Exception {
    open();
    queue.enqueue(TEXT, "before"); // the replica is up: WAIT answers at once
    replica.pause();
    CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> queue.enqueue(TEXT, "during"), callers);
    await().atMost(Duration.ofSeconds(5)).until(() -> blockedInWait() == 1);

    QueueStats stats = CompletableFuture.supplyAsync(queue::stats, callers).get(PROMPT_SECONDS, TimeUnit.SECONDS);
    assertThat(stats.ready()).as("both jobs are stored; the second waits for its replica").isEqualTo(2);

    CountDownLatch started = new CountDownLatch(1);
    queue.register(TEXT, Workers.of(1), job -> {
      if (job.payload().equals("before")) {
        started.countDown();
      }
    });
    assertThat(started.await(PROMPT_SECONDS, TimeUnit.SECONDS)).as("the worker claimed the job while WAIT blocked").isTrue();
    assertThat(waiting).as("the enqueue still waits for its replica").isNotDone();

    replica.resume();
    assertThat(waiting.get(REPLICA_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)).isNotBlank();
  }

  @Test
  void concurrentReplicatedEnqueuesWaitSideBySideNotOneBehindAnother() throws Exception {
    open();
    replica.pause();
    List<CompletableFuture<String>> enqueues = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String payload = "side-" + i;
      enqueues.add(CompletableFuture.supplyAsync(() -> queue.enqueue(TEXT, payload), callers));
    }
    // One behind another, the master would hold at most one of them in WAIT at a time.
    await().atMost(Duration.ofSeconds(5)).until(() -> blockedInWait() == 4);

    replica.resume();
    for (CompletableFuture<String> enqueue : enqueues) {
      assertThat(enqueue.get(REPLICA_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)).isNotBlank();
    }
  }

  /**
   * Lettuce re-sends a command in flight after a reconnect: a {@code WAIT} whose connection dropped is
   * asked again, possibly of a promoted master that never had the write (a Sentinel failover), whose
   * replicas would then vouch for it. So a drop while the enqueue waits counts as no replica: the enqueue
   * is refused even though the {@code WAIT} sent again after the reconnect is answered by the replica.
   */
  @Test
  void anEnqueueWhoseConnectionDroppedDuringWaitIsNotReportedReplicated() throws Exception {
    open();
    replica.pause();
    CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> queue.enqueue(TEXT, "dropped"), callers);
    await().atMost(Duration.ofSeconds(5)).until(() -> blockedInWait() == 1);
    String id = masterAdmin.sync().clientList().lines().filter(line -> line.contains(" cmd=wait "))
        .map(line -> line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id="))))
        .findFirst().orElseThrow();
    assertThat(masterAdmin.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(Long.parseLong(id)))).isEqualTo(1L);
    replica.resume();

    assertThatThrownBy(() -> {
      try {
        waiting.get(REPLICA_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw e.getCause();
      }
    }).isInstanceOf(QueueUnavailableException.class).hasMessageContaining("only 0 of 1 replicas");
  }
}
