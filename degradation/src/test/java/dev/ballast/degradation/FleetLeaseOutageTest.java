package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Redis outage longer than the fleet trigger lease: every lease has lapsed when Redis comes back (with
 * its data: append-only), yet a live instance's engagement is not taken for a dead one's.
 */
class FleetLeaseOutageTest extends FleetTestSupport {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration DEADLINE = Duration.ofSeconds(15);
  private static final String FIELD = "auto:busy@a";


  private Switchboard board(String instance, boolean manual, Trigger... triggers) {
    SwitchboardBuilder b = Switchboard.builder().name(name).redis(client).instanceId(instance)
        .fleetTriggerLease(LEASE).redisTimeout(Duration.ofMillis(300));
    for (Trigger t : triggers) {
      b.trigger(t);
    }
    if (manual) {
      b.manualSchedule();
    }
    Switchboard board = b.build();
    boards.add(board);
    return board;
  }

  private long leaseExpiry() {
    return Long.parseLong(redis.hget("ballast:degradation:{" + name + "}:leases", FIELD));
  }

  @Test
  void afterAnOutageLongerThanTheLeaseALiveInstanceRenewsBeforeAnyoneEndsItsEngagement(RedisServer server) {
    AtomicReference<Double> signal = new AtomicReference<>(10.0);
    // a renews only when the test calls refresh(); b prunes on its own schedule (every second).
    Switchboard a = board("a", true, Trigger.builder("busy").signal(Signal.of("v", signal::get)).enterAt(5)
        .exitAt(1).minDwell(Duration.ZERO).degrade(SwitchName.SERVE_CACHED).scope(Trigger.Scope.FLEET).build());
    Switchboard b = board("b", false);
    a.evaluate();
    await().atMost(DEADLINE).until(b::isServingCached);
    List<SwitchChange> changes = new CopyOnWriteArrayList<>();
    b.addListener(changes::add);
    long expiry = leaseExpiry();

    server.stop();
    // Redis runs on this machine's clock: wait out the lease, as seen by Redis when it is back.
    await().atMost(DEADLINE).until(() -> System.currentTimeMillis() > expiry + 500);
    assertThat(a.isServingCached()).as("the local view holds during the outage").isTrue();
    assertThat(b.isServingCached()).isTrue();

    server.start();
    await().atMost(DEADLINE).ignoreExceptions().until(() -> "PONG".equals(redis.ping()));
    assertThat(redis.hget("ballast:degradation:{" + name + "}:leases", FIELD)).as("restored, lapsed, not pruned")
        .isEqualTo(Long.toString(expiry));
    // Give b time to prune at once, were it to trust a lease that lapsed during the outage (it ticks every
    // second); only then does a renew.
    long back = System.currentTimeMillis();
    await().atMost(DEADLINE).until(() -> System.currentTimeMillis() > back + 1_500);
    await().atMost(DEADLINE).until(() -> {
      a.refresh();
      return leaseExpiry() > expiry;
    });

    // Past b's grace (a whole lease of answers from Redis), a keeps renewing and the fleet stays degraded.
    await().during(LEASE.plusSeconds(1)).atMost(DEADLINE).until(() -> {
      a.refresh();
      return b.isServingCached();
    });
    assertThat(changes).as("b never left serve-cached").isEmpty();
    assertThat(redis.hexists("ballast:degradation:{" + name + "}", FIELD)).isTrue();
  }
}
