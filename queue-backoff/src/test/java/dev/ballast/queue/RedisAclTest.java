package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Rate;
import dev.ballast.redis.ratelimit.DistributedRateLimiter;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Redis user limited to the key pattern {@code ballast:*} and the commands the README lists (the ACL is
 * read from the README, so the documentation is what is tested) runs queues and limiters whose keys start
 * with {@code aclPrefix("ballast:")}.
 */
@ExtendWith(RedisExtension.class)
class RedisAclTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final String USER = "ballast-acl-test";
  static final String PASSWORD = "s3cret-acl";

  RedisClient admin;
  StatefulRedisConnection<String, String> adminConnection;
  RedisClient limited;

  @BeforeEach
  void createUser(RedisServer server) throws IOException {
    admin = server.newClient();
    adminConnection = admin.connect();
    String acl = documentedAcl().replace("ACL SETUSER ballast ", "").replace(">PASSWORD", ">" + PASSWORD);
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(USER);
    for (String rule : acl.trim().split("\\s+")) {
      args.add(rule);
    }
    assertThat(adminConnection.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args))
        .isEqualTo("OK");
    limited = RedisClient.create(RedisURI.builder().withHost(server.host()).withPort(server.port())
        .withAuthentication(USER, PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(2)).build());
  }

  @AfterEach
  void deleteUser() {
    limited.shutdown();
    adminConnection.sync().dispatch(CommandType.ACL, new IntegerOutput<>(StringCodec.UTF8),
        new CommandArgs<>(StringCodec.UTF8).add("DELUSER").add(USER));
    adminConnection.close();
    admin.shutdown();
  }

  /** The ACL line of the module README. */
  static String documentedAcl() throws IOException {
    Path readme = Path.of(System.getProperty("basedir", "."), "README.md");
    return Files.readAllLines(readme).stream().filter(l -> l.startsWith("ACL SETUSER ballast ")).findFirst()
        .orElseThrow(() -> new AssertionError("no 'ACL SETUSER ballast' line in " + readme.toAbsolutePath()));
  }

  @Test
  void aQueueWithAnAclPrefixWorksUnderTheDocumentedAcl() {
    QueueConfig config = QueueConfig.builder().name("acl").aclPrefix("ballast:").maxAttempts(1)
        .pollInterval(Duration.ofMillis(5)).build();
    try (JobQueue queue = JobQueue.redis(limited, config)) {
      Set<String> done = ConcurrentHashMap.newKeySet();
      queue.register(TEXT, Workers.of(2), job -> {
        if (job.payload().equals("fail")) {
          throw new IllegalStateException("to the dead letters");
        }
        done.add(job.payload());
      });
      queue.enqueue(TEXT, "a", JobOptions.builder().idempotencyKey("a").build());
      queue.enqueueAll(TEXT, List.of("b", "c", "fail"), JobOptions.defaults());
      queue.enqueue(TEXT, "later", JobOptions.builder().delay(Duration.ofMillis(50)).build());
      await().atMost(Duration.ofSeconds(20)).until(() -> done.size() == 4 && queue.stats().dead() == 1);
      String dead = queue.deadLetters(1).get(0).id();
      assertThat(queue.requeueDead(dead)).isTrue();
      await().atMost(Duration.ofSeconds(20)).until(() -> queue.stats().dead() == 1 && queue.stats().pending() == 0);
      assertThat(queue.purgeDead()).isEqualTo(1);
    }
    assertThat(adminConnection.sync().keys("{*")).isEmpty();
    assertThat(adminConnection.sync().keys("ballast:{ballast:queue:acl}*")).isNotEmpty();
  }

  @Test
  void withoutTheAclPrefixTheQueuesKeysAreOutsideThePattern() {
    try (JobQueue queue = JobQueue.redis(limited, QueueConfig.builder().name("no-acl-prefix").build())) {
      queue.declare(TEXT);
      assertThatThrownBy(() -> queue.enqueue(TEXT, "x")).isInstanceOf(QueueUnavailableException.class)
          .rootCause().hasMessageContaining("NOPERM");
    }
  }

  RedisClient wrongPassword(RedisServer server) {
    return RedisClient.create(RedisURI.builder().withHost(server.host()).withPort(server.port())
        .withAuthentication(USER, "not-the-password".toCharArray()).withTimeout(Duration.ofSeconds(2)).build());
  }

  @Test
  void aWrongPasswordIsReportedAsAnAuthenticationFailureByTheQueue(RedisServer server) {
    RedisClient wrong = wrongPassword(server);
    try {
      assertThatThrownBy(() -> JobQueue.redis(wrong, QueueConfig.builder().name("auth").aclPrefix("ballast:").build()))
          .isInstanceOf(QueueUnavailableException.class).hasMessageContaining("authentication failed")
          .hasMessageNotContaining("Cannot connect").hasMessageNotContaining("not reachable");
    } finally {
      wrong.shutdown();
    }
  }

  @Test
  void aWrongPasswordLeavesTheLimiterOnItsLocalShareCountedAsAnAuthenticationFailure(RedisServer server) {
    RedisClient wrong = wrongPassword(server);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (DistributedRateLimiter limiter = DistributedRateLimiter.builder().name("auth").rate(new Rate(10, Duration.ofHours(1), 10))
        .redis(wrong).aclPrefix("ballast:").meterRegistry(meters).build()) {
      int granted = 0;
      for (int i = 0; i < 20; i++) {
        granted += limiter.tryAcquire() ? 1 : 0;
      }
      assertThat(granted).isEqualTo(10);
      assertThat(limiter.isFallingBack()).isTrue();
      assertThat(meters.get("ballast.redis.errors").tags("component", "limiter:auth", "kind", "auth").counter().count())
          .isPositive();
      assertThat(meters.find("ballast.redis.errors").tag("kind", "connection").counter()).isNull();
    } finally {
      wrong.shutdown();
    }
  }

  @Test
  void aLimiterWithAnAclPrefixUsesTheSharedBucketUnderTheDocumentedAcl() {
    try (DistributedRateLimiter limiter = DistributedRateLimiter.builder().name("acl").rate(new Rate(5, Duration.ofHours(1), 5))
        .redis(limited).aclPrefix("ballast:").build()) {
      for (int i = 0; i < 5; i++) {
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.isFallingBack()).isFalse();
      }
      assertThat(limiter.tryAcquire()).isFalse();
      assertThat(limiter.isFallingBack()).isFalse();
    }
    assertThat(adminConnection.sync().exists("ballast:{ballast:limiter:acl}")).isEqualTo(1L);
  }
}
