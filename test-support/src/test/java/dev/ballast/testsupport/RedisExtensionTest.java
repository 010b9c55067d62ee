package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * What {@link RedisExtension} does between and after test classes, proven by running fixture classes
 * (the nested static classes below, which surefire itself skips) in an in-process launcher.
 */
class RedisExtensionTest {

  /** What the fixtures saw, by name; reset before each run. */
  static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

  @BeforeEach
  void forgetWhatFixturesSaw() {
    SEEN.clear();
  }

  @Test
  void sharedServerIsEmptiedBeforeEachTopLevelClass() {
    TestExecutionSummary summary = run(WritesLeftover.class, SeesCleanDatabase.class);

    assertThat(summary.getFailures()).isEmpty();
    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
    assertThat(SEEN).containsEntry("writer.dbsize", 1L).containsEntry("reader.dbsize", 0L);
    assertThat(SEEN.get("reader.port")).isEqualTo(SEEN.get("writer.port"));
  }

  @Test
  void nestedClassKeepsWhatItsEnclosingClassWrote() {
    TestExecutionSummary summary = run(EnclosingWrites.class);

    assertThat(summary.getFailures()).isEmpty();
    assertThat(SEEN).containsEntry("nested.fixture", "written by @BeforeAll");
  }

  @Test
  void dedicatedServerIsHealedAfterEachTestAndClosedAfterTheClass() {
    TestExecutionSummary summary = run(FaultFixture.class);

    // The first test fails on purpose with the server paused; the rest must not be affected.
    assertThat(summary.getTestsFailedCount()).as(() -> failures(summary)).isEqualTo(1);
    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
    assertThat(SEEN)
        .containsEntry("after-pause.ping", "PONG")
        .containsEntry("after-stop.ping", "PONG")
        .containsEntry("after-stop.port", SEEN.get("paused.port"))
        .containsEntry("injected.same", true);
    long pid = (Long) SEEN.get("after-stop.pid");
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("server after its class").isEmpty();
  }

  private static TestExecutionSummary run(Class<?>... fixtures) {
    LauncherDiscoveryRequestBuilder request =
        LauncherDiscoveryRequestBuilder.request()
            .configurationParameter(
                "junit.jupiter.testclass.order.default",
                "org.junit.jupiter.api.ClassOrderer$OrderAnnotation");
    for (Class<?> fixture : fixtures) {
      request.selectors(selectClass(fixture));
    }
    LauncherDiscoveryRequest built = request.build();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(built, listener);
    return listener.getSummary();
  }

  private static String failures(TestExecutionSummary summary) {
    StringBuilder text = new StringBuilder("fixture failures:");
    summary.getFailures().forEach(f -> text.append("\n  ").append(f.getTestIdentifier().getDisplayName())
        .append(": ").append(f.getException()));
    return text.toString();
  }

  /**
   * A client with generous timeouts: these fixtures test healing, not latency, and must not fail because
   * a loaded machine answered a just-restarted server's first PING after newClient()'s short timeout.
   */
  private static <T> T withRedis(RedisServer redis, Function<RedisCommands<String, String>, T> action) {
    RedisURI uri = RedisURI.builder().withHost(redis.host()).withPort(redis.port())
        .withTimeout(Duration.ofSeconds(15)).build();
    try (RedisClient client = RedisClient.create(uri);
        StatefulRedisConnection<String, String> connection = client.connect()) {
      return action.apply(connection.sync());
    }
  }

  @ExtendWith(RedisExtension.class)
  @Order(1)
  static class WritesLeftover {
    @Test
    void write(RedisServer redis) {
      SEEN.put("writer.dbsize", withRedis(redis, c -> {
        c.set("leftover", "from another class");
        return c.dbsize();
      }));
      SEEN.put("writer.port", redis.port());
    }
  }

  @ExtendWith(RedisExtension.class)
  @Order(2)
  static class SeesCleanDatabase {
    @Test
    void read(RedisServer redis) {
      SEEN.put("reader.dbsize", withRedis(redis, RedisCommands::dbsize));
      SEEN.put("reader.port", redis.port());
    }
  }

  @ExtendWith(RedisExtension.class)
  static class EnclosingWrites {
    @BeforeAll
    static void write(RedisServer redis) {
      withRedis(redis, c -> c.set("fixture", "written by @BeforeAll"));
    }

    @Nested
    class Inner {
      @Test
      void read(RedisServer redis) {
        SEEN.put("nested.fixture", withRedis(redis, c -> c.get("fixture")));
      }
    }
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class FaultFixture {
    @RegisterExtension static final RedisExtension REDIS = RedisExtension.dedicated();

    private static RedisServer fromBeforeAll;
    private final RedisServer fromConstructor;

    FaultFixture(RedisServer redis) {
      fromConstructor = redis;
    }

    @BeforeAll
    static void remember(RedisServer redis) {
      fromBeforeAll = redis;
    }

    @Test
    @Order(1)
    void pausesThenFails(RedisServer redis) {
      SEEN.put("injected.same", redis == fromConstructor && redis == fromBeforeAll);
      SEEN.put("paused.port", redis.port());
      redis.pause();
      throw new AssertionError("simulated fault-test failure with the server paused");
    }

    @Test
    @Order(2)
    void stopsTheServer(RedisServer redis) {
      SEEN.put("after-pause.ping", withRedis(redis, RedisCommands::ping));
      redis.stop();
    }

    @Test
    @Order(3)
    void findsItRunningOnTheSamePort(RedisServer redis) {
      SEEN.put("after-stop.ping", withRedis(redis, RedisCommands::ping));
      SEEN.put("after-stop.port", redis.port());
      SEEN.put("after-stop.pid", ((LocalRedisServer) redis).pid());
    }
  }
}
