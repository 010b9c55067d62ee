package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis loses the fleet state (restarted without persistence, flushed) while an operator acts: the newest
 * operator action wins on every instance, whichever instance writes back first, and a new instance does
 * not show the lost state for a whole {@code refreshEvery}.
 */
class FleetLostStateTest extends FleetTestSupport {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private ClientResources slowResources;
  private RedisClient slowClient;

  @AfterEach
  void closeTheSlowClient() {
    boards.forEach(Switchboard::close);
    boards.clear();
    if (slowClient != null) {
      slowClient.shutdown();
      slowResources.shutdown();
    }
  }

  private Switchboard board(RedisClient on, String instance, boolean manual) {
    SwitchboardBuilder b = Switchboard.builder().name(name).redis(on).instanceId(instance)
        .redisTimeout(Duration.ofMillis(300)).refreshEvery(Duration.ofMinutes(5));
    if (manual) {
      b.manualSchedule();
    }
    Switchboard board = b.build();
    boards.add(board);
    return board;
  }

  /**
   * A client that reconnects only 3 s after Redis comes back, so that its instance writes back what it
   * knew after the other instance has written its outage change (the order in which that change was lost).
   */
  private RedisClient slowToReconnect(RedisServer server) {
    slowResources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofSeconds(3))).build();
    RedisURI uri = RedisURI.create(server.uri());
    uri.setTimeout(Duration.ofSeconds(2));
    slowClient = RedisClient.create(slowResources, uri);
    return slowClient;
  }

  @Test
  void aReleaseMadeDuringAnOutageWinsOverTheStateAnotherInstanceWritesBack(RedisServer server) {
    Switchboard a = board(slowToReconnect(server), "a", true);
    Switchboard b = board(ownClient(), "b", true);
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "db failover"));
    await().atMost(DEADLINE).until(b::isReadOnly);

    server.stop(); // no persistence: the state is gone when it starts again
    b.release(SwitchName.READ_ONLY, "bob"); // during the outage: applies on b, waits for Redis
    assertThat(b.isReadOnly()).isFalse();
    assertThat(a.isReadOnly()).isTrue();
    server.start();

    // b writes its release first; a, back 3 s later, finds a state it did not know and would write back
    // read-only: the newer release must win on every instance.
    await().atMost(DEADLINE).until(() -> !a.isReadOnly() && !b.isReadOnly());
    Switchboard fresh = board(ownClient(), "fresh", true);
    assertThat(fresh.isReadOnly()).isFalse();
    a.refresh();
    b.refresh();
    assertThat(a.isReadOnly()).isFalse();
    assertThat(b.isReadOnly()).isFalse();
    assertThat(redis.hexists("ballast:degradation:{" + name + "}", "switch:read-only")).isFalse();
  }

  @Test
  void aNewInstanceAfterAFlushallShowsTheFleetStateWithinMillisecondsNotRefreshEvery() {
    board(ownClient(), "first", true).degrade(SwitchName.SERVE_CACHED, new Reason("carol", "creates the state"));
    Switchboard a = board(ownClient(), "a", false); // on its schedule, re-reading only every 5 minutes
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "db failover")); // into a state a has read: no re-read follows
    redis.flushall();

    Switchboard late = board(ownClient(), "late", false);
    // a few round trips; generous for a loaded machine, and far below the 5 minutes of refreshEvery
    await().atMost(Duration.ofSeconds(5)).until(() -> late.isReadOnly() && late.isServingCached());
    assertThat(late.readOnly().who()).isEqualTo("alice");
    assertThat(a.isReadOnly()).isTrue();
  }
}
