package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.LogCapture;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Redis outage is logged once when it starts and once when it ends, not once more per job type. */
class QueueOutageLogTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder());

  static final JobType<String> A = JobType.of("a", JobCodec.utf8());
  static final JobType<String> B = JobType.of("b", JobCodec.utf8());

  @Test
  void anOutageIsLoggedOnceWhenItStartsAndOnceWhenItEnds(RedisServer server) {
    RedisClient client = server.newClient();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Set<String> done = ConcurrentHashMap.newKeySet();
    try (LogCapture log = new LogCapture();
        JobQueue queue = JobQueue.redis(client, QueueConfig.builder().name("outagelog").meterRegistry(registry)
            .pollInterval(Duration.ofMillis(5)).build())) {
      queue.register(A, Workers.of(2), job -> done.add(job.payload()));
      queue.register(B, Workers.of(2), job -> done.add(job.payload()));
      server.stop();
      // The outage starts (the guard's breaker opens), and the claims of both types go on failing meanwhile.
      await().atMost(Duration.ofSeconds(30)).until(() -> count(registry, "ballast.redis.outages") >= 1);
      double errors = count(registry, "ballast.redis.errors");
      await().atMost(Duration.ofSeconds(30)).until(() -> count(registry, "ballast.redis.errors") >= errors + 2);
      server.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        try {
          queue.enqueue(A, "a1");
          queue.enqueue(B, "b1");
          return true;
        } catch (QueueUnavailableException stillDown) {
          return false;
        }
      });
      await().atMost(Duration.ofSeconds(20)).until(() -> done.containsAll(Set.of("a1", "b1")));
      await().atMost(Duration.ofSeconds(20)).until(() -> !queueLines(log, "INFO").isEmpty());
      assertThat(queueLines(log, "WARN")).as("WARN lines about the outage").hasSize(1);
      assertThat(queueLines(log, "INFO")).as("INFO lines about its end").hasSize(1);
    } finally {
      client.shutdown();
    }
  }

  /** The queue's own lines; the breaker inside the guard logs its state changes apart (resilience-core). */
  static java.util.List<String> queueLines(LogCapture log, String level) {
    return log.lines(level, "outagelog").stream().filter(l -> !l.contains("CircuitBreaker")).toList();
  }

  static double count(SimpleMeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
