package dev.ballast.degradation.internal;

import dev.ballast.degradation.FleetTestSupport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.degradation.Mode;
import dev.ballast.degradation.Signal;
import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchChange;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.SwitchboardBuilder;
import dev.ballast.degradation.Trigger;
import dev.ballast.degradation.Reason;
import dev.ballast.testsupport.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fleet trigger's engagement is leased: it ends when its instance dies without withdrawing it, and
 * lasts as long as its instance lives. Leases of 2 s here, renewed every 667 ms, so a live instance
 * survives a stall of over a second on a loaded machine, and a dead instance's engagement must end within
 * 2.67 s; the deadlines add room for a loaded machine.
 */
@ExtendWith(RedisExtension.class)
class FleetLeaseTest extends FleetTestSupport {

  private static final Duration LEASE = Duration.ofSeconds(2);
  /** The lease, the third of it until the next prune, and room for a loaded machine. */
  private static final Duration BOUND = LEASE.plus(LEASE.dividedBy(3)).plusSeconds(3);
  private static final Duration DEADLINE = Duration.ofSeconds(15);


  /** A switchboard on its own schedule (renewing and pruning every third of the lease). */
  private Switchboard board(String instance, Trigger... triggers) {
    return board(instance, b -> b, triggers);
  }

  private Switchboard board(String instance, UnaryOperator<SwitchboardBuilder> options, Trigger... triggers) {
    SwitchboardBuilder b = Switchboard.builder().name(name).features("reviews").redis(client).instanceId(instance)
        .fleetTriggerLease(LEASE).redisTimeout(Duration.ofMillis(300))
        .mode(Mode.degrading("maintenance", SwitchName.READ_ONLY));
    for (Trigger t : triggers) {
      b.trigger(t);
    }
    Switchboard board = options.apply(b).build();
    boards.add(board);
    return board;
  }

  private static Trigger busy(AtomicReference<Double> signal) {
    return Trigger.builder("busy").signal(Signal.of("v", signal::get)).enterAt(5).exitAt(1).minDwell(Duration.ZERO)
        .degrade(SwitchName.SERVE_CACHED).scope(Trigger.Scope.FLEET).build();
  }

  private String hashKey() {
    return "ballast:degradation:{" + name + "}";
  }

  private String leasesKey() {
    return hashKey() + ":leases";
  }

  private long leaseExpiry(String field) {
    String expiry = redis.hget(leasesKey(), field);
    return expiry == null ? -1 : Long.parseLong(expiry);
  }

  private static void crash(Switchboard board) {
    ((DefaultSwitchboard) board).crash();
  }

  @Test
  void aDeadInstancesEngagementEndsWithinTheLease() {
    AtomicReference<Double> signal = new AtomicReference<>(10.0);
    Switchboard a = board("a", busy(signal));
    Switchboard b = board("b");
    a.evaluate();
    await().atMost(DEADLINE).until(b::isServingCached);
    assertThat(b.serveCached().who()).isEqualTo("trigger:busy@a");
    assertThat(leaseExpiry("auto:busy@a")).as("leased in Redis time").isPositive();

    crash(a); // stops renewing, withdraws nothing: the entry stays in Redis

    assertThat(redis.hexists(hashKey(), "auto:busy@a")).isTrue();
    await().atMost(BOUND).until(() -> !b.isServingCached());
    assertThat(b.serveCached().origin()).isEqualTo(Switch.Origin.DEFAULT);
    assertThat(redis.hexists(hashKey(), "auto:busy@a")).as("pruned from Redis").isFalse();
    assertThat(redis.hlen(leasesKey())).isZero();
  }

  @Test
  void aLiveEngagedInstanceKeepsTheFleetDegradedPastSeveralLeasesWithoutBroadcasting() {
    AtomicReference<Double> signal = new AtomicReference<>(10.0);
    Switchboard a = board("a", busy(signal));
    Switchboard b = board("b");
    a.evaluate();
    await().atMost(DEADLINE).until(b::isServingCached);
    List<SwitchChange> changes = new CopyOnWriteArrayList<>();
    b.addListener(changes::add);
    String version = redis.hget(hashKey(), "_version");
    long firstExpiry = leaseExpiry("auto:busy@a");

    // Renewed until its expiry lies three leases past the first one: three leases have passed meanwhile.
    await().atMost(DEADLINE).until(() -> leaseExpiry("auto:busy@a") >= firstExpiry + 3 * LEASE.toMillis());

    assertThat(b.isServingCached()).isTrue();
    assertThat(a.isServingCached()).isTrue();
    assertThat(changes).as("no flap on the other instance").isEmpty();
    assertThat(redis.hget(hashKey(), "_version")).as("renewals change no version, broadcast nothing")
        .isEqualTo(version);
  }

  @Test
  void manualSettingsAndModesHaveNoLeaseAndOutliveADeadInstancesTrigger() {
    Switchboard a = board("a");
    a.degrade(SwitchName.feature("reviews"), new Reason("alice", "slow reviews"));
    a.enterMode("maintenance", new Reason("bob", "failover"));
    AtomicReference<Double> signal = new AtomicReference<>(10.0);
    Switchboard c = board("c", busy(signal));
    c.evaluate();
    await().atMost(DEADLINE).until(a::isServingCached);
    assertThat(redis.hkeys(leasesKey())).containsExactly("auto:busy@c");

    crash(c);
    await().atMost(BOUND).until(() -> !a.isServingCached()); // a pruned c's entry: leases were checked

    assertThat(a.isFeatureEnabled("reviews")).isFalse();
    assertThat(a.feature("reviews").origin()).isEqualTo(Switch.Origin.MANUAL);
    assertThat(a.isReadOnly()).isTrue();
    assertThat(a.activeModes()).containsExactly("maintenance");
    assertThat(redis.hkeys(hashKey())).contains("switch:feature:reviews", "mode:maintenance");
    assertThat(redis.hlen(leasesKey())).isZero();
  }

  @Test
  void aTriggerEntryWithoutALeaseIsGivenOneAndEnds() {
    Switchboard b = board("b");
    // As written before leases existed, by an instance that is gone.
    redis.hincrby(hashKey(), "_version", 1);
    redis.hset(hashKey(), "auto:busy@ghost", "1700000000000|trigger:busy@ghost|old|serve-cached=1");
    b.refresh();
    assertThat(b.isServingCached()).isTrue();

    await().atMost(BOUND.plus(LEASE)).until(() -> !b.isServingCached());
    assertThat(redis.hexists(hashKey(), "auto:busy@ghost")).isFalse();
  }

  @Test
  void anInstanceWhoseEntryLapsedWhileItWasAwayWritesItAgainOnItsNextRenewal() {
    // Manual schedules: each instance renews and prunes only when refresh() is called.
    AtomicReference<Double> signal = new AtomicReference<>(10.0);
    Switchboard a = board("a", SwitchboardBuilder::manualSchedule, busy(signal));
    Switchboard b = board("b", SwitchboardBuilder::manualSchedule);
    a.evaluate();
    await().atMost(DEADLINE).until(b::isServingCached);

    redis.hset(leasesKey(), "auto:busy@a", "0"); // as if a had not renewed for a long time
    await().atMost(BOUND).until(() -> {
      b.refresh(); // prunes once b has heard from Redis for a whole lease
      return !b.isServingCached();
    });
    await("a hears the deletion too").atMost(DEADLINE).until(() -> !a.isServingCached());

    a.refresh(); // a's renewal finds its entry gone and writes it afresh
    assertThat(a.isServingCached()).isTrue();
    await().atMost(DEADLINE).until(b::isServingCached);
    assertThat(leaseExpiry("auto:busy@a")).isGreaterThan(0);
  }

  @Test
  void aDisengagedTriggerTakesItsLeaseAlong() {
    AtomicReference<Double> signal = new AtomicReference<>(10.0);
    Switchboard a = board("a", SwitchboardBuilder::manualSchedule, busy(signal));
    a.evaluate();
    assertThat(redis.hkeys(leasesKey())).containsExactly("auto:busy@a");
    signal.set(0.0);
    a.evaluate();
    a.refresh(); // a renewal after the flip must not bring the entry back
    assertThat(a.isServingCached()).isFalse();
    assertThat(redis.hexists(hashKey(), "auto:busy@a")).isFalse();
    assertThat(redis.hlen(leasesKey())).isZero();
  }
}
