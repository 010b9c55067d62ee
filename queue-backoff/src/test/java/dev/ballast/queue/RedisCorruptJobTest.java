package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A job whose stored metadata is corrupt (edited by hand, written by another version) is dead-lettered
 * alone with the reason; the jobs claimed with it run normally. The clock is manual, so no visibility
 * deadline ever passes: a neighbour that is not run at once would never run.
 */
@ExtendWith(RedisExtension.class)
class RedisCorruptJobTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final AtomicInteger names = new AtomicInteger();
  static RedisClient client;
  static StatefulRedisConnection<String, String> raw;

  final ManualTicker clock = new ManualTicker(TimeUnit.SECONDS.toNanos(1_000_000));
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  JobQueue queue;

  @BeforeAll
  static void connect(RedisServer server) {
    client = server.newClient();
    raw = client.connect();
  }

  @AfterAll
  static void disconnect() {
    raw.close();
    client.shutdown();
  }

  @AfterEach
  void close() {
    queue.close();
  }

  JobQueue open() {
    queue = JobQueue.redis(client, QueueConfig.builder().name("corrupt" + names.incrementAndGet())
        .ticker(clock::read).pollInterval(Duration.ofMillis(5)).meterRegistry(meters).build());
    return queue;
  }

  /** Declares TEXT and enqueues j0, j1, ...; returns their ids in order. */
  static List<String> enqueue(JobQueue q, int jobs) {
    q.declare(TEXT);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      ids.add(q.enqueue(TEXT, "j" + i));
    }
    return ids;
  }

  static String jobKey(JobQueue q, String id) {
    return "{ballast:queue:" + q.name() + "}:job:" + id;
  }

  @ParameterizedTest(name = "{0} = ''{1}''")
  @CsvSource({
      "bj, BOGUS, backoff jitter",          // read by the client: an unknown jitter name
      "bm, fast, backoff multiplier",       // read by the client
      "bi, -5, backoff initial",            // checked by the script
      "dl, soon, deadline",                 // the script compares it
      "a, 1.5, attempts",                   // the script increments it (HINCRBY would fail)
      "c, x, claims",                       // the fencing token: the script increments it
      "pr, 9, priority",                    // a lane no worker reads
      "m, 0, max attempts"})
  void aJobWithCorruptMetadataIsDeadLetteredAloneAndItsNeighboursRun(String field, String value, String meaning) {
    JobQueue q = open();
    List<String> ids = enqueue(q, 49);
    String bad = ids.get(24);
    raw.sync().hset(jobKey(q, bad), field, value);

    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    q.register(TEXT, Workers.of(8), job -> attempts.merge(job.payload() + "@" + job.attempt(), 1, Integer::sum));
    await().atMost(Duration.ofSeconds(20)).until(() -> attempts.size() == 48 && q.stats().pending() == 0);
    for (int i = 0; i < 49; i++) {
      if (i != 24) {
        assertThat(attempts).containsEntry("j" + i + "@1", 1); // first attempt, once
      }
    }
    assertThat(attempts.keySet()).noneMatch(k -> k.startsWith("j24@"));
    List<DeadLetter> dead = q.deadLetters(10);
    assertThat(dead).extracting(DeadLetter::id).containsExactly(bad);
    assertThat(dead.get(0).lastError()).startsWith("corrupt job metadata: field '" + field + "' (" + meaning + ")")
        .contains(value);
    assertThat(meters.get("ballast.queue.corrupt").tag("queue", q.name()).counter().count()).isEqualTo(1.0);
    // A requeue resets the attempts, which repairs 'a'; any other corruption ends in the dead-letter set again.
    boolean requeued = q.requeueDead(bad);
    await().atMost(Duration.ofSeconds(20)).until(() -> q.stats().pending() == 0);
    if (field.equals("a")) {
      assertThat(requeued).isTrue();
      assertThat(attempts).containsEntry("j24@1", 1);
    } else {
      assertThat(q.deadLetters(10)).extracting(DeadLetter::id).containsExactly(bad);
      assertThat(q.deadLetters(1).get(0).lastError()).startsWith("corrupt job metadata: field '" + field + "'");
    }
  }

  @Test
  void aJobKeyThatIsNoHashIsDeadLetteredAloneAndAPoisonedKeyFailsOnlyItsOwnCalls() {
    JobQueue q = open();
    List<String> ids = enqueue(q, 10);
    String bad = ids.get(4);
    raw.sync().del(jobKey(q, bad));
    raw.sync().set(jobKey(q, bad), "not a hash");
    // An idempotency key that holds another type: every enqueue with that key fails (WRONGTYPE), alone.
    String idemKey = "{ballast:queue:" + q.name() + "}:idem:poisoned";
    raw.sync().hset(idemKey, "x", "y");
    JobOptions poisoned = JobOptions.builder().idempotencyKey("poisoned").build();
    for (int i = 0; i < 30; i++) {
      assertThatThrownBy(() -> q.enqueue(TEXT, "p", poisoned)).isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("wrongtype").hasMessageContaining("failed alone");
    }
    // The breaker around Redis stayed closed: other enqueues and the claims go on.
    q.enqueue(TEXT, "j10");
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    q.register(TEXT, Workers.of(4), job -> attempts.merge(job.payload(), 1, Integer::sum));
    await().atMost(Duration.ofSeconds(20)).until(() -> attempts.size() == 10 && q.stats().pending() == 0);
    assertThat(attempts).doesNotContainKey("j4");
    DeadLetter dead = q.deadLetters(10).get(0);
    assertThat(dead.id()).isEqualTo(bad);
    assertThat(dead.lastError()).startsWith("corrupt job metadata: the job key is not a hash");
    assertThat(meters.get("ballast.redis.errors").tag("kind", "wrongtype").counter().count()).isEqualTo(30.0);
    assertThat(meters.find("ballast.redis.outages").counter().count()).isZero();
    assertThat(q.purgeDead()).isEqualTo(1);
  }

  @Test
  void aCorruptJobThatCannotBeDeadLetteredDoesNotHoldBackTheJobsClaimedWithIt() {
    JobQueue q = open();
    List<String> ids = enqueue(q, 10);
    String bad = ids.get(4);
    raw.sync().hset(jobKey(q, bad), "bj", "BOGUS"); // only the client can tell: it dead-letters the job itself
    String deadKey = "{ballast:queue:" + q.name() + "}:dead";
    raw.sync().set(deadKey, "not a sorted set"); // ...which Redis then refuses
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    q.register(TEXT, Workers.of(16), job -> attempts.merge(job.payload(), 1, Integer::sum));
    // The manual clock never reaches a visibility deadline: a neighbour held back with the bad job never runs.
    await().atMost(Duration.ofSeconds(20)).until(() -> attempts.size() == 9);
    assertThat(attempts).doesNotContainKey("j4");
    raw.sync().del(deadKey); // stats reads the dead-letter set too
    assertThat(q.stats().inFlight()).as("the bad job, left for its visibility deadline").isEqualTo(1);
  }

  @Test
  void aDeadLetterSetRedisRefusesNeverLosesTheJobOnItsWayThere() {
    JobQueue q = open();
    q.declare(TEXT);
    String late = q.enqueue(TEXT, "late", JobOptions.builder().deadline(Duration.ofSeconds(1)).build());
    String deadKey = "{ballast:queue:" + q.name() + "}:dead";
    raw.sync().set(deadKey, "not a sorted set");
    clock.advance(Duration.ofSeconds(2)); // the job's deadline passed: a claim dead-letters it
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(1), job -> seen.add(job.payload()));
    // Each claim fails (WRONGTYPE) half way through that move; the job must stay where it was meanwhile.
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      var refused = meters.find("ballast.redis.errors").tag("kind", "wrongtype").counter();
      return refused != null && refused.count() >= 3;
    });
    raw.sync().del(deadKey);
    await().atMost(Duration.ofSeconds(20)).until(() -> q.stats().dead() == 1);
    assertThat(q.deadLetters(1).get(0).id()).isEqualTo(late);
    assertThat(q.deadLetters(1).get(0).lastError()).contains("deadline passed");
    assertThat(seen).isEmpty();
  }

  @ParameterizedTest(name = "a delayed job with {0} = ''{1}''")
  @CsvSource({"pr, x", "t, ''"})
  void aCorruptDelayedJobIsDeadLetteredWhenItFallsDue(String field, String value) {
    JobQueue q = open();
    q.declare(TEXT);
    String bad = q.enqueue(TEXT, "later", JobOptions.builder().delay(Duration.ofSeconds(5)).build());
    q.enqueue(TEXT, "later-fine", JobOptions.builder().delay(Duration.ofSeconds(5)).build());
    raw.sync().hset(jobKey(q, bad), field, value);
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    q.register(TEXT, Workers.of(2), job -> seen.add(job.payload()));
    clock.advance(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("later-fine") && q.stats().dead() == 1);
    assertThat(q.deadLetters(1).get(0).lastError()).startsWith("corrupt job metadata: field '" + field + "'");
    await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
    assertThat(seen).containsExactly("later-fine");
  }
}
