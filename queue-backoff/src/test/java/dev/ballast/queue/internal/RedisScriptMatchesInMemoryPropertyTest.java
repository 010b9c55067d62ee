package dev.ballast.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Backoff;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.QueueStats;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The Redis script and the in-memory store are two implementations of one queue: for any batch of jobs
 * (priorities mixed, idempotency keys repeated inside the batch) and any sequence of claims of any width,
 * each acknowledging the jobs of the claim before it (some under a stale token), both return the same ids
 * pattern, claim the same jobs in the same order with the same attempts, count the same acks, and end with
 * the same counts. The script reads and trims the ready lists per batch and acknowledges per batch; the
 * in-memory store does one job at a time, so this checks the batching against the plain reading of the rule.
 */
class RedisScriptMatchesInMemoryPropertyTest {

  private static final Backoff BACKOFF = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16));
  private static final AtomicInteger names = new AtomicInteger();
  private static RedisServer server;
  private static RedisClient client;

  @BeforeContainer
  static void launch() {
    server = RedisServer.fromEnvironment();
    client = server.newClient();
  }

  @AfterContainer
  static void stop() {
    client.shutdown();
    server.close();
  }

  /** One job of the batch: its priority, and its idempotency key (-1 for none; 0..2 repeat inside the batch). */
  record Spec(int priority, int key) {}

  @Provide
  Arbitrary<List<Spec>> batches() {
    Arbitrary<Spec> spec = Combinators.combine(Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(-1, 2)).as(Spec::new);
    return spec.list().ofMinSize(0).ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<Integer>> claimWidths() {
    return Arbitraries.integers().between(1, 12).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 60)
  void bothStoresClaimTheSameJobsInTheSameOrder(@ForAll("batches") List<Spec> batch,
      @ForAll("claimWidths") List<Integer> widths, @ForAll boolean staleEveryThird) {
    QueueConfig config = QueueConfig.builder().name("script-model-" + names.incrementAndGet()).build();
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Spec s = batch.get(i);
      jobs.add(new NewJob("t", ("job-" + i).getBytes(StandardCharsets.UTF_8), s.priority(), 3, BACKOFF, 0, 0,
          s.key() < 0 ? null : "key-" + s.key()));
    }
    try (RedisStore redis = RedisStore.connect(client, config)) {
      InMemoryStore memory = new InMemoryStore(config);
      assertThat(idPattern(redis.enqueue(jobs))).as("ids").isEqualTo(idPattern(memory.enqueue(jobs)));
      List<ClaimedJob> lastRedis = List.of();
      List<ClaimedJob> lastMemory = List.of();
      for (int width : widths) {
        QueueStore.AckAndClaim fromRedis = redis.ackAndClaim(acks(lastRedis, staleEveryThird), "t", width);
        QueueStore.AckAndClaim fromMemory = memory.ackAndClaim(acks(lastMemory, staleEveryThird), "t", width);
        assertThat(fromRedis.acked()).as("acks counted").isEqualTo(fromMemory.acked());
        assertThat(describe(fromRedis.next().jobs())).as("claimed").isEqualTo(describe(fromMemory.next().jobs()));
        lastRedis = fromRedis.next().jobs();
        lastMemory = fromMemory.next().jobs();
      }
      assertThat(counts(redis.stats())).as("counts at the end").isEqualTo(counts(memory.stats()));
      memory.close();
    }
  }

  /** The stats without the oldest job's age, which each store reads off its own clock. */
  private static List<Object> counts(QueueStats stats) {
    return List.of(stats.readyByPriority(), stats.delayed(), stats.inFlight(), stats.dead());
  }

  /** Each id as the index of its first occurrence: the two stores name jobs differently. */
  private static List<Integer> idPattern(List<String> ids) {
    Map<String, Integer> first = new HashMap<>();
    List<Integer> pattern = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      pattern.add(first.computeIfAbsent(ids.get(i), id -> first.size()));
    }
    return pattern;
  }

  /** Acks for the jobs of the last claim; every third under a token that is not the claim's, if asked. */
  private static List<QueueStore.Ack> acks(List<ClaimedJob> claimed, boolean staleEveryThird) {
    List<QueueStore.Ack> acks = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      ClaimedJob job = claimed.get(i);
      acks.add(new QueueStore.Ack(job.id(), staleEveryThird && i % 3 == 2 ? job.token() + 1 : job.token()));
    }
    return acks;
  }

  private static List<String> describe(List<ClaimedJob> jobs) {
    List<String> out = new ArrayList<>();
    for (ClaimedJob job : jobs) {
      // Not the token: each store draws its own (the in-memory one from one counter for all jobs).
      out.add(new String(job.payload(), StandardCharsets.UTF_8) + " p" + job.priority() + " a" + job.attempt()
          + " k" + job.idempotencyKey());
    }
    return out;
  }
}
