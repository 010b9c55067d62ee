package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis comes back with an older version of the same state (an append-only file that missed the last
 * writes, a replica that lagged), so the versions instances saw in the lost timeline are used again: a
 * change made after that reaches every instance, and none replays the lost timeline over it.
 */
class FleetRedisWentBackInTimeTest extends FleetTestSupport {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private Switchboard board(String instance) {
    Switchboard board = Switchboard.builder().name(name).redis(ownClient()).instanceId(instance)
        .redisTimeout(Duration.ofMillis(300)).manualSchedule().build();
    boards.add(board);
    return board;
  }

  @Test
  void aChangeMadeAfterRedisWentBackInTimeReachesInstancesThatSawHigherVersions(RedisServer server) {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.set(SwitchName.READ_ONLY, true, "alice", "db failover");
    await().atMost(DEADLINE).until(b::isReadOnly);

    redis.configSet("appendonly", "no"); // three versions the file misses: a and b run ahead of it
    a.set(SwitchName.SERVE_CACHED, true, "alice", "origin hot");
    a.release(SwitchName.SERVE_CACHED, "alice");
    a.set(SwitchName.SERVE_CACHED, true, "alice", "origin hot again");
    await().atMost(DEADLINE).until(b::isServeCached);

    server.stop();
    server.start(); // the older state: its version is below what a and b hold, and will be used again
    await().atMost(DEADLINE).until(() -> redis.hexists(hashKey(), "switch:serve-cached")); // written back

    // A new instance releases it: the newest action, under a version a and b saw in the lost timeline.
    Switchboard c = board("c");
    c.release(SwitchName.SERVE_CACHED, "carol");
    assertThat(c.isServeCached()).isFalse();
    await().atMost(DEADLINE).untilAsserted(() -> {
      assertThat(redis.hexists(hashKey(), "switch:serve-cached")).isFalse();
      assertThat(a.isServeCached()).as("a").isFalse();
      assertThat(b.isServeCached()).as("b").isFalse();
    });
  }

  private String hashKey() {
    return "ballast:degradation:{" + name + "}";
  }
}
