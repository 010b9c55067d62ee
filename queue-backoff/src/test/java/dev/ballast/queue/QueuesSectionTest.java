package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Jitter;
import dev.ballast.core.Registry;
import dev.ballast.core.Ticker;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.Configuration;
import dev.ballast.queue.internal.DefaultJobQueue;
import dev.ballast.queue.internal.InMemoryStore;
import dev.ballast.queue.internal.RedisStore;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code queues} section and the {@code background-jobs} preset, in memory and on a real Redis. */
@ExtendWith(RedisExtension.class)
class QueuesSectionTest {

  static final JobType<String> WORK = JobType.of("work", JobCodec.utf8());
  static final AtomicInteger prefixes = new AtomicInteger();

  static RedisClient client;

  @BeforeAll
  static void connect(RedisServer server) {
    client = server.newClient();
  }

  @AfterAll
  static void disconnect() {
    client.shutdown();
  }

  static ConfigContext withRedis() {
    return ConfigContext.builder().resource("redis", client).build();
  }

  /** A key prefix no other test uses, so queues of the same name on the shared Redis stay apart. */
  static String freshPrefix() {
    return "cfg" + prefixes.incrementAndGet() + "-" + System.nanoTime();
  }

  static Registry build(String yaml, ConfigContext context) {
    return Configuration.parse(yaml, "test.yaml").buildRegistry(context);
  }

  static void assertError(String yaml, ConfigContext context, int line, String... fragments) {
    assertThatThrownBy(() -> build(yaml, context))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).line()).as(e.getMessage()).isEqualTo(line))
        .hasMessageStartingWith("test.yaml:" + line + ":")
        .hasMessageContainingAll(fragments);
  }

  static void assertPresetNumbers(QueueConfig c) {
    assertThat(c.name()).isEqualTo("background-jobs");
    assertThat(c.priorityWeights()).containsExactly(1, 4, 16);
    assertThat(c.defaultPriority()).isEqualTo(1);
    assertThat(c.maxAttempts()).isEqualTo(3);
    assertThat(c.backoff().initial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.backoff().max()).isEqualTo(Duration.ofSeconds(16));
    assertThat(c.backoff().multiplier()).isEqualTo(2.0);
    assertThat(c.backoff().jitter()).isEqualTo(Jitter.FULL);
    assertThat(c.visibilityTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.targetAge()).isEqualTo(Duration.ofMinutes(5));
  }

  /** The backend behind a queue built from configuration. */
  static Object storeOf(JobQueue queue) {
    return ((DefaultJobQueue) queue).store();
  }

  @Test
  void thePresetBuildsAnInMemoryQueueWithoutRedis() throws Exception {
    try (Registry registry = Configuration.preset("background-jobs").buildRegistry(ConfigContext.defaults())) {
      JobQueue queue = registry.get("background-jobs", JobQueue.class);
      assertPresetNumbers(queue.config());
      assertThat(storeOf(queue)).isInstanceOf(InMemoryStore.class);
      assertThat(queue.config().ticker()).as("the system ticker is left to the backend").isNull();
    }
  }

  @Test
  void thePresetBuildsARedisQueueWhenTheContextHasARedisClient() throws Exception {
    QueueConfig seen;
    try (Registry registry = Configuration.preset("background-jobs").buildRegistry(withRedis())) {
      JobQueue queue = registry.get("background-jobs", JobQueue.class);
      assertPresetNumbers(queue.config());
      assertThat(storeOf(queue)).isInstanceOf(RedisStore.class);
      queue.declare(WORK);
      queue.enqueue(WORK, "stored in redis", JobOptions.builder().delay(Duration.ofHours(1)).build());
      seen = queue.config();
    }
    // Another instance opening the same queue sees the job: it is in Redis, not in the closed queue.
    try (JobQueue other = JobQueue.redis(client, seen)) {
      assertThat(other.stats().delayed()).isEqualTo(1);
    }
  }

  @Test
  void aTeamFileExtendsThePresetOverridesAKeyAndAddsAQueue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jobs.yaml");
    Files.writeString(file, """
        extends: background-jobs
        queues:
          background-jobs:
            maxAttempts: 5
          reports:
            redis: false
            priorities: [1, 2]
            defaultPriority: 0
            backoff: { initial: 5s }
            maxPayloadBytes: 1_048_576
            idempotencyWindow: 1h
            pollInterval: 250ms
            claimBatch: 16
            keyPrefix: acme
            aclPrefix: "tenant:"
            targetAge: 30m
            hungHandlerGrace: 2m
            shutdownTimeout: 5s
        """);
    try (Registry registry = Configuration.load(file).buildRegistry(withRedis())) {
      QueueConfig jobs = registry.get("background-jobs", JobQueue.class).config();
      assertThat(jobs.maxAttempts()).isEqualTo(5);
      assertThat(jobs.backoff().jitter()).isEqualTo(Jitter.FULL); // the rest is the preset's
      assertThat(jobs.visibilityTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(jobs.targetAge()).isEqualTo(Duration.ofMinutes(5));

      JobQueue reportsQueue = registry.get("reports", JobQueue.class);
      assertThat(storeOf(reportsQueue)).as("redis: false wins over the resource")
          .isInstanceOf(InMemoryStore.class);
      QueueConfig reports = reportsQueue.config();
      QueueConfig defaults = QueueConfig.builder().name("reports").build();
      assertThat(reports.priorityWeights()).containsExactly(1, 2);
      assertThat(reports.defaultPriority()).isZero();
      assertThat(reports.backoff().initial()).isEqualTo(Duration.ofSeconds(5));
      assertThat(reports.backoff().max()).isEqualTo(defaults.backoff().max());
      assertThat(reports.backoff().jitter()).isEqualTo(defaults.backoff().jitter());
      assertThat(reports.maxPayloadBytes()).isEqualTo(1_048_576);
      assertThat(reports.idempotencyWindow()).isEqualTo(Duration.ofHours(1));
      assertThat(reports.pollInterval()).isEqualTo(Duration.ofMillis(250));
      assertThat(reports.claimBatch()).isEqualTo(16);
      assertThat(reports.keyPrefix()).isEqualTo("acme");
      assertThat(reports.aclPrefix()).isEqualTo("tenant:");
      assertThat(reports.hungHandlerGrace()).isEqualTo(Duration.ofMinutes(2));
      assertThat(reports.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(jobs.aclPrefix()).isEmpty();
      assertThat(reports.targetAge()).isEqualTo(Duration.ofMinutes(30));
      assertThat(reports.maxAttempts()).isEqualTo(defaults.maxAttempts());
      assertThat(reports.visibilityTimeout()).isEqualTo(defaults.visibilityTimeout());
    }
  }

  @ParameterizedTest(name = "redis: {0}")
  @ValueSource(booleans = {false, true})
  void jobsRunAndAFailingOneIsDeadLetteredAfterThreeAttempts(boolean redis) throws Exception {
    // The preset's 3 attempts, with a backoff short enough for a test.
    String yaml = """
        extends: background-jobs
        queues:
          background-jobs:
            redis: %s
            keyPrefix: %s
            backoff: { initial: 5ms, max: 20ms }
            pollInterval: 5ms
        """.formatted(redis, freshPrefix());
    List<String> runs = new CopyOnWriteArrayList<>();
    try (Registry registry = build(yaml, withRedis())) {
      JobQueue queue = registry.get("background-jobs", JobQueue.class);
      assertThat(queue.config().maxAttempts()).isEqualTo(3);
      queue.register(WORK, Workers.of(2), job -> {
        runs.add(job.payload() + "#" + job.attempt());
        if (job.payload().equals("bad")) {
          throw new IllegalStateException("provider said no to attempt " + job.attempt());
        }
      });
      queue.enqueue(WORK, "good");
      queue.enqueue(WORK, "bad");

      await().atMost(Duration.ofSeconds(20)).until(() -> queue.stats().dead() == 1);
      await().atMost(Duration.ofSeconds(20)).until(() -> queue.stats().pending() == 0);
      assertThat(runs).contains("good#1", "bad#1", "bad#2", "bad#3");
      assertThat(Collections.frequency(runs, "good#1")).isEqualTo(1);
      assertThat(runs.stream().filter(r -> r.startsWith("bad#"))).hasSize(3);
      List<DeadLetter> dead = queue.deadLetters(10);
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).attempts()).isEqualTo(3);
      assertThat(dead.get(0).lastError()).contains("provider said no to attempt 3");
    }
  }

  @Test
  void closingTheRegistryClosesTheQueue() throws Exception {
    Registry registry = build("queues: { q: {} }", ConfigContext.defaults());
    JobQueue queue = registry.get("q", JobQueue.class);
    registry.close();
    assertThatThrownBy(() -> queue.register(WORK, Workers.of(1), job -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
  }

  @Test
  void metersAndATestTickerComeFromTheContext() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Ticker manual = () -> 42L;
    ConfigContext context = ConfigContext.builder().meterRegistry(meters).ticker(manual).build();
    try (Registry registry = build("queues: { q: {} }", context)) {
      JobQueue queue = registry.get("q", JobQueue.class);
      assertThat(queue.config().meterRegistry()).isSameAs(meters);
      assertThat(queue.config().ticker()).isSameAs(manual);
      assertThat(meters.get("ballast.queue.dead").tag("queue", "q").gauge().value()).isZero();
    }
  }

  @Test
  void aRedisQueueNeverTakesTheContextsClock(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    try (Registry registry = build("queues: { q: {} }",
        ConfigContext.builder().ticker(() -> 42L).resource("redis", client).build())) {
      assertThat(registry.get("q", JobQueue.class).config().ticker()).as("Redis TIME, not a client clock").isNull();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void errorsGiveTheLineOfTheKey() {
    ConfigContext none = ConfigContext.defaults();
    assertError("""
        queues:
          q:
            maxAtempts: 3
        """, none, 3, "queues.q.maxAtempts", "unknown key", "did you mean 'maxAttempts'?");
    assertError("""
        queues:
          q:
            redis: true
        """, none, 3, "queues.q.redis", "RedisClient resource named 'redis'");
    assertError("""
        queues:
          q:
            priorities: [1, 2]
            defaultPriority: 2
        """, none, 4, "queues.q.defaultPriority", "QueueConfig.defaultPriority must be at most 1, was 2");
    assertError("""
        queues:
          q:
            priorities: [1, 0]
        """, none, 3, "queues.q.priorities", "QueueConfig.priorityWeights");
    assertError("""
        queues:
          q:
            priorities:
              - 1
              - lots
        """, none, 5, "queues.q.priorities[1]", "must be a whole number", "'lots'");
    assertError("""
        queues:
          q:
            priorities: [1, \uFF14]
        """, none, 3, "queues.q.priorities[1]", "must be a whole number"); // full-width 4: ASCII digits only
    assertError("""
        queues:
          q:
            claimBatch: 5000
        """, none, 3, "queues.q.claimBatch", "QueueConfig.claimBatch must be at most 1000");
    assertError("""
        queues:
          q:
            backoff: { initial: 1s, jitter: fuller }
        """, none, 3, "queues.q.backoff.jitter", "must be one of");
    assertError("""
        queues:
          q:
            visibilityTimeout: 0
        """, none, 3, "queues.q.visibilityTimeout", "QueueConfig.visibilityTimeout must be positive");
    assertError("""
        queues:
          "bad name":
            maxAttempts: 3
        """, none, 2, "queues.bad name", "QueueConfig.name");
    assertError("""
        queues:
          q:
            redis: true
        """, ConfigContext.builder().resource("redis", "not a client").build(), 3, "found a java.lang.String");
  }
}
