package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis comes back with an older state than the fleet knew (an append-only file that missed the last
 * writes, a replica that lagged): the newer operator action wins everywhere, Redis included, and the
 * versions the instances saw in the timeline Redis lost, now used again, hide no later change.
 */
class FleetAofRestoreTest extends FleetTestSupport {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  /**
   * Instances reconnect 2 s after Redis went away, not at once: the test can see the older state Redis came
   * back with before they write back what they know (a precondition each test checks).
   */
  private final ClientResources slowToReconnect =
      ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofSeconds(2))).build();
  private final List<RedisClient> clients = new ArrayList<>();
  private String uri;

  @BeforeEach
  void remember(RedisServer server) {
    uri = server.uri();
  }

  @AfterEach
  void shutDownTheInstancesClients() {
    boards.forEach(Switchboard::close);
    boards.clear();
    clients.forEach(RedisClient::shutdown);
    slowToReconnect.shutdown();
  }

  private Switchboard board(String instance) {
    RedisClient own = RedisClient.create(slowToReconnect, uri);
    clients.add(own);
    Switchboard board = Switchboard.builder().name(name).redis(own).instanceId(instance)
        .redisTimeout(Duration.ofMillis(300)).manualSchedule().build();
    boards.add(board);
    return board;
  }

  @Test
  void anOlderStateRestoredFromTheAppendOnlyFileDoesNotWinOverANewerRelease(RedisServer server) {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "db failover"));
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

  @Test
  void aChangeMadeAfterRedisWentBackInTimeReachesInstancesThatSawHigherVersions(RedisServer server) {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "db failover"));
    await().atMost(DEADLINE).until(b::isReadOnly);

    redis.configSet("appendonly", "no"); // three versions the file misses: a and b run ahead of it
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "origin hot"));
    a.release(SwitchName.SERVE_CACHED, "alice");
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "origin hot again"));
    await().atMost(DEADLINE).until(b::isServingCached);

    server.stop();
    server.start(); // the older state: its version is below what a and b hold, and will be used again
    assertThat(redis.hget(hashKey(), "_version")).isEqualTo("1");
    await().atMost(DEADLINE).until(() -> redis.hexists(hashKey(), "switch:serve-cached")); // written back

    // A new instance releases it: the newest action, under a version a and b saw in the lost timeline.
    Switchboard c = board("c");
    c.release(SwitchName.SERVE_CACHED, "carol");
    assertThat(c.isServingCached()).isFalse();
    await().atMost(DEADLINE).untilAsserted(() -> {
      assertThat(redis.hexists(hashKey(), "switch:serve-cached")).isFalse();
      assertThat(a.isServingCached()).as("a").isFalse();
      assertThat(b.isServingCached()).as("b").isFalse();
    });
  }

  private String hashKey() {
    return "ballast:degradation:{" + name + "}";
  }
}
