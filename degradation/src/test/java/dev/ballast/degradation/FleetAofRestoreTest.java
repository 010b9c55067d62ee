package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis comes back with an older state than the fleet knew (an append-only file that missed the last
 * writes, a replica that lagged): the newer operator action wins everywhere, Redis included.
 */
class FleetAofRestoreTest extends FleetTestSupport {

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
  void anOlderStateRestoredFromTheAppendOnlyFileDoesNotWinOverANewerRelease(RedisServer server) {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.set(SwitchName.READ_ONLY, true, "alice", "db failover");
    await().atMost(DEADLINE).until(b::isReadOnly);

    redis.configSet("appendonly", "no"); // the file keeps read-only on; what follows is not written to it
    b.release(SwitchName.READ_ONLY, "bob");
    await().atMost(DEADLINE).until(() -> !a.isReadOnly());

    server.stop();
    // Loads the append-only file: read-only on, an older version of the same state. No check that it is
    // back in Redis here: the fleet may reconnect and write the release back before this thread can look
    // (on the old code the older state won: this test failed there).
    server.start();

    await().atMost(DEADLINE).untilAsserted(() -> {
      assertThat(redis.hexists(hashKey(), "switch:read-only")).isFalse(); // written back by the fleet
      Switchboard fresh = board("fresh-" + System.nanoTime());
      assertThat(fresh.isReadOnly()).isFalse();
    });
    assertThat(a.isReadOnly()).isFalse();
    assertThat(b.isReadOnly()).isFalse();
  }

  private String hashKey() {
    return "ballast:degradation:{" + name + "}";
  }
}
