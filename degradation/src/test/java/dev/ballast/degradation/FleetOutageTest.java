package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.LogCapture;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis goes away under a fleet of two: each keeps its state, flips locally, and both converge afterwards. */
class FleetOutageTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private RedisClient client;
  private final List<Switchboard> boards = new ArrayList<>();

  private String name;

  @BeforeEach
  void setUp(RedisServer server, TestInfo info) {
    client = server.newClient();
    name = info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void tearDown() {
    boards.forEach(Switchboard::close);
    client.shutdown();
  }

  private Switchboard board(String instance) {
    Switchboard board = Switchboard.builder().name(name).redis(client).instanceId(instance)
        .redisTimeout(Duration.ofMillis(300)).manualSchedule().build();
    boards.add(board);
    return board;
  }

  /**
   * close() while flips made during an outage still wait for Redis: they cannot be written, and closing
   * says so (WARN, with their number) instead of dropping them silently; it returns within its bound.
   */
  @Test
  void closingWithFlipsRedisDidNotTakeSaysHowMany(RedisServer server) {
    Switchboard a = board("a");
    server.stop();
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "during the outage"));
    a.disable("reviews", new Reason("alice", "during the outage too"));
    try (LogCapture log = new LogCapture()) {
      long start = System.nanoTime();
      a.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(log.lines("WARN", name, "closed with 2 changes that Redis did not take")).hasSize(1);
    }
    server.start();
  }

  @Test
  void redisStoppedKeepsTheLastKnownStateAllowsLocalFlipsAndResyncsAfterRestart(RedisServer server) {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "before the outage"));
    await().atMost(DEADLINE).until(b::isReadOnly);

    server.stop();

    assertThat(a.isReadOnly()).isTrue();
    assertThat(b.isReadOnly()).isTrue();
    long start = System.nanoTime();
    b.degrade(SwitchName.SERVE_CACHED, new Reason("bob", "during the outage"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2)); // bounded, not Lettuce's 60 s
    assertThat(b.isServingCached()).isTrue(); // applies locally at once
    assertThat(b.serveCached().who()).isEqualTo("bob");
    b.degrade(SwitchName.feature("reviews"), new Reason("bob", "second flip, queued behind the first"));
    assertThat(b.isFeatureEnabled("reviews")).isFalse();
    assertThat(a.isServingCached()).isFalse(); // a cannot know yet

    server.start(); // empty: the dedicated server persists nothing
    await().atMost(DEADLINE).until(() -> a.isServingCached() && !a.isFeatureEnabled("reviews") && a.isReadOnly());
    await().atMost(DEADLINE).until(() -> b.isServingCached() && b.isReadOnly());
    assertThat(a.serveCached().who()).isEqualTo("bob");

    // and the fleet works as before
    a.release(SwitchName.READ_ONLY, "alice");
    await().atMost(DEADLINE).until(() -> !b.isReadOnly());
  }

  @Test
  void aSwitchboardStartsWhileRedisIsDownAndJoinsTheFleetWhenItComesUp(RedisServer server) {
    server.stop();
    Switchboard lonely = board("lonely"); // does not throw
    assertThat(lonely.isReadOnly()).isFalse();
    lonely.degrade(SwitchName.READ_ONLY, new Reason("carol", "set while Redis was down"));
    assertThat(lonely.isReadOnly()).isTrue();

    server.start();
    await().atMost(DEADLINE).untilAsserted(() -> {
      Switchboard fresh = board("fresh-" + System.nanoTime());
      assertThat(fresh.isReadOnly()).isTrue();
    });
    assertThat(lonely.isReadOnly()).isTrue();
  }

  @Test
  void aPausedRedisDoesNotHangFlips(RedisServer server) {
    Switchboard a = board("a");
    Switchboard b = board("b");
    server.pause();
    long start = System.nanoTime();
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "redis frozen"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(a.isServingCached()).isTrue();
    server.resume();
    await().atMost(DEADLINE).until(b::isServingCached);
  }
}
