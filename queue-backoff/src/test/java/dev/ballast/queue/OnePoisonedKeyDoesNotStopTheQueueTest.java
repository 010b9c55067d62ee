package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One key of a queue holding the wrong type is a data problem of the jobs that touch it, not a Redis
 * outage: it must not open the queue's Redis breaker, so later enqueues and claims of that queue go on
 * instead of failing with "circuit open".
 */
class OnePoisonedKeyDoesNotStopTheQueueTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final AtomicInteger names = new AtomicInteger();

  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private JobQueue queue;
  private final Set<String> done = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void connect(RedisServer server) {
    client = server.newClient();
    connection = client.connect();
    redis = connection.sync();
    queue = JobQueue.redis(client, QueueConfig.builder().name("tainted" + names.incrementAndGet())
        .visibilityTimeout(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).build());
    queue.register(TEXT, Workers.of(2), job -> done.add(job.payload()));
  }

  @AfterEach
  void close() {
    queue.close();
    connection.close();
    client.shutdown();
  }

  private static JobOptions keyed(String key) {
    return JobOptions.builder().idempotencyKey(key).build();
  }

  @Test
  void aWrongTypeIdempotencyKeyDoesNotMakeLaterEnqueuesAndClaimsFailWithCircuitOpen() {
    queue.enqueue(TEXT, "first", keyed("poison"));
    await().atMost(Duration.ofSeconds(20)).until(() -> done.contains("first"));
    // The idempotency record of "poison", wherever this version of the queue keeps it, becomes a list.
    List<String> records = redis.keys("*" + queue.name() + "*poison*");
    assertThat(records).as("the idempotency record of 'poison'").hasSize(1);
    redis.del(records.get(0));
    redis.rpush(records.get(0), "not an idempotency record");

    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      try {
        queue.enqueue(TEXT, "again-" + i, keyed("poison"));
      } catch (RuntimeException e) { // the poisoned key's own enqueue may fail: that is its data problem
        failures.add(String.valueOf(e.getMessage()));
      }
    }
    assertThat(failures).as("no enqueue was refused for an open circuit")
        .noneMatch(message -> message.contains("circuit open"));

    for (int i = 0; i < 20; i++) {
      queue.enqueue(TEXT, "later-" + i); // must not throw
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (int i = 0; i < 20; i++) {
        assertThat(done).as("claimed and run").contains("later-" + i);
      }
    });
  }
}
