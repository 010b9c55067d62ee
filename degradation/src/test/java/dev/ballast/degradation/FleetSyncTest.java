package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class FleetSyncTest extends FleetTestSupport {

  private static final Duration DEADLINE = Duration.ofSeconds(5);


  private Switchboard board(String instance, Trigger... triggers) {
    return board(instance, null, triggers);
  }

  private Switchboard board(String instance, MeterRegistry registry, Trigger... triggers) {
    SwitchboardBuilder b = Switchboard.builder().name(name).features("reviews", "wishlist").redis(ownClient())
        .instanceId(instance).manualSchedule();
    if (registry != null) {
      b.meterRegistry(registry);
    }
    for (Trigger t : triggers) {
      b.trigger(t);
    }
    Switchboard board = b.build();
    boards.add(board);
    return board;
  }

  private String hashKey() {
    return "ballast:degradation:{" + name + "}";
  }

  @Test
  void aFlipOnOneInstanceReachesTheOtherTwo() {
    Switchboard a = board("a");
    Switchboard b = board("b");
    Switchboard c = board("c");

    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "db failover | step 1, of 3"));
    assertThat(a.isReadOnly()).isTrue(); // at once on the instance that flipped it
    await().atMost(DEADLINE).until(() -> b.isReadOnly() && c.isReadOnly());
    assertThat(c.readOnly()).isEqualTo(a.readOnly()).isEqualTo(b.readOnly()); // same who, why, since (Redis TIME)
    assertThat(c.readOnly().why()).isEqualTo("db failover | step 1, of 3");

    c.enterMode(Mode.SURVIVAL, new Reason("carol", "black friday"));
    await().atMost(DEADLINE).until(() -> !a.isFeatureEnabled("reviews") && !b.isFeatureEnabled("wishlist")
        && a.isServingCached() && b.isServingCached());
    assertThat(a.activeModes()).containsExactly("survival");

    b.release(SwitchName.READ_ONLY, "bob");
    b.leaveMode(Mode.SURVIVAL, "bob");
    await().atMost(DEADLINE).until(() -> !a.isReadOnly() && !c.isReadOnly() && a.isFeatureEnabled("reviews")
        && !c.isServingCached());
  }

  /**
   * A stamp from far in the future (a host whose clock ran years ahead, an entry edited by hand) is not
   * trusted beyond the bound: it would otherwise win over every later action, and no flip of that switch
   * could ever take effect.
   */
  @Test
  void aStampFromTheFarFutureDoesNotBlockLaterFlips() {
    Switchboard a = board("a");
    Switchboard b = board("b");
    redis.hset(hashKey() + ":clocks", "switch:read-only", "9999999999999999999@broken");
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "db failover"));
    await().atMost(DEADLINE).until(() -> a.isReadOnly() && b.isReadOnly());
    assertThat(redis.hget(hashKey(), "switch:read-only")).contains("|alice|db failover|");
    b.restore(SwitchName.READ_ONLY, new Reason("bob", "failover done"));
    await().atMost(DEADLINE).until(() -> !a.isReadOnly() && !b.isReadOnly());
  }

  @Test
  void aNewInstanceStartsWithTheFleetState() {
    board("a").degrade(SwitchName.feature("reviews"), new Reason("alice", "slow"));
    Switchboard late = board("late");
    assertThat(late.isFeatureEnabled("reviews")).isFalse(); // read at start, no waiting
    assertThat(late.feature("reviews").who()).isEqualTo("alice");
  }

  @Test
  void anInstanceWhosePubSubConnectionWasKilledCatchesUpOnReconnect() {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "before"));
    await().atMost(DEADLINE).until(b::isServingCached);

    // A change b cannot hear: written to the hash without a broadcast, as if published while b was away.
    redis.hincrby(hashKey(), "_version", 1);
    redis.hset(hashKey(), "switch:read-only", "1700000000000|ops|missed|read-only=1");
    assertThat(b.isReadOnly()).isFalse();

    assertThat(redis.clientKill(io.lettuce.core.KillArgs.Builder.typePubsub())).isGreaterThanOrEqualTo(2L);

    await().atMost(DEADLINE).until(() -> a.isReadOnly() && b.isReadOnly());
    assertThat(b.readOnly().who()).isEqualTo("ops");
    assertThat(b.readOnly().since().toEpochMilli()).isEqualTo(1700000000000L);
    // and broadcasts flow again afterwards
    a.release(SwitchName.SERVE_CACHED, "alice");
    await().atMost(DEADLINE).until(() -> !b.isServingCached());
  }

  @Test
  void staleAndMalformedBroadcastsAreIgnored() {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "one"));
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "two"));
    await().atMost(DEADLINE).until(() -> b.isServingCached() && b.isReadOnly());

    String channel = hashKey() + ":changes";
    redis.publish(channel, "1|del|switch:read-only|"); // version 1 is older than what b has
    redis.publish(channel, "garbage");
    redis.publish(channel, "x|set|switch:read-only|");
    a.degrade(SwitchName.feature("wishlist"), new Reason("alice", "marker")); // broadcasts are ordered: wait for this one
    await().atMost(DEADLINE).until(() -> !b.isFeatureEnabled("wishlist"));
    assertThat(b.isReadOnly()).isTrue();
  }

  @Test
  void corruptEntriesInRedisAreSkippedAndTheRestApplies() {
    redis.hset(hashKey(), "switch:read-only", "not an entry");
    redis.hset(hashKey(), "switch:serve-cached", "1700000000000|ops|fine|serve-cached=1");
    redis.hset(hashKey(), "_version", "2");
    Switchboard a = board("a");
    assertThat(a.isReadOnly()).isFalse();
    assertThat(a.isServingCached()).isTrue();
  }

  @Test
  void aGarbageVersionIsRepairedAndFleetWritesGoOn() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Switchboard a = board("a", registry);
    Switchboard b = board("b");
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "before"));
    await().atMost(DEADLINE).until(b::isServingCached);

    redis.hset(hashKey(), "_version", "garbage");
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "after the version was spoiled"));
    b.degrade(SwitchName.feature("reviews"), new Reason("bob", "and from another instance"));

    await().atMost(DEADLINE).until(() -> b.isReadOnly() && !a.isFeatureEnabled("reviews") && a.isServingCached());
    assertThat(redis.hget(hashKey(), "_version")).matches("[0-9]+");
    assertThat(redis.hget(hashKey(), "switch:read-only")).endsWith("|alice|after the version was spoiled|read-only=1");
    Switchboard fresh = board("fresh"); // the state in Redis is whole
    assertThat(fresh.isReadOnly()).isTrue();
    assertThat(fresh.isFeatureEnabled("reviews")).isFalse();
    assertThat(fresh.isServingCached()).isTrue();
    // a switchboard that reads the garbage counts it and repairs it
    redis.hset(hashKey(), "_version", "garbage again");
    a.refresh();
    assertThat(registry.get("ballast.degradation.corrupt").counter().count()).isGreaterThanOrEqualTo(1);
    await().atMost(DEADLINE).until(() -> redis.hget(hashKey(), "_version").matches("[0-9]+"));
    assertThat(registry.find("ballast.redis.errors").counters().stream().mapToDouble(c -> c.count()).sum())
        .isZero(); // bad data is no Redis outage
  }

  @Test
  void keysOfTheWrongTypeAreRepairedLikeCorruptDataAndTheFleetWritesBackItsState() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Switchboard a = board("a");
    Switchboard b = board("b", registry); // b's write meets the wrong type first
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "db failover"));
    await().atMost(DEADLINE).until(b::isReadOnly);

    redis.del(hashKey(), hashKey() + ":clocks");
    redis.set(hashKey(), "overwritten by hand"); // every script call on the state now fails with WRONGTYPE
    redis.lpush(hashKey() + ":clocks", "also the wrong type");
    b.degrade(SwitchName.SERVE_CACHED, new Reason("bob", "origin hot"));

    await().atMost(DEADLINE).until(() -> "hash".equals(redis.type(hashKey()))
        && redis.hexists(hashKey(), "switch:serve-cached") && redis.hexists(hashKey(), "switch:read-only"));
    await().atMost(DEADLINE).until(a::isServingCached);
    assertThat(redis.type(hashKey() + ":clocks")).isEqualTo("hash");
    assertThat(b.isReadOnly()).isTrue();
    Switchboard fresh = board("fresh");
    assertThat(fresh.isReadOnly()).isTrue();
    assertThat(fresh.isServingCached()).isTrue();
    assertThat(registry.get("ballast.degradation.corrupt").counter().count()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aCorruptEntryIsSkippedCountedAndRemovedFromRedisWhileTheRestApplies() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Switchboard a = board("a", registry);
    Switchboard b = board("b");
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "fine"));
    await().atMost(DEADLINE).until(b::isServingCached);
    redis.hset(hashKey(), "switch:read-only", "not an entry");
    a.refresh();
    assertThat(a.isReadOnly()).isFalse();
    assertThat(a.isServingCached()).isTrue();
    assertThat(registry.get("ballast.degradation.corrupt").counter().count()).isGreaterThanOrEqualTo(1);
    await().atMost(DEADLINE).until(() -> !redis.hexists(hashKey(), "switch:read-only"));
    // and the fleet writes that field again as usual
    b.degrade(SwitchName.READ_ONLY, new Reason("bob", "after the repair"));
    await().atMost(DEADLINE).until(a::isReadOnly);
    // a value shaped like an entry but naming a switch this version does not know may be a newer
    // version's: skipped, and kept
    redis.hset(hashKey(), "mode:hologram", "1700000000000|ops|newer|hologram=1");
    a.refresh();
    b.refresh();
    assertThat(a.activeModes()).isEmpty();
    assertThat(redis.hget(hashKey(), "mode:hologram")).isEqualTo("1700000000000|ops|newer|hologram=1");
  }

  @Test
  void aFleetTriggerDegradesEveryInstanceUntilNoInstanceHasItEngaged() {
    AtomicReference<Double> aSignal = new AtomicReference<>(0.0);
    AtomicReference<Double> bSignal = new AtomicReference<>(0.0);
    Switchboard a = board("a", fleetTrigger(aSignal));
    Switchboard b = board("b", fleetTrigger(bSignal));
    Switchboard c = board("c");

    aSignal.set(10.0);
    a.evaluate();
    await().atMost(DEADLINE).until(() -> b.isServingCached() && c.isServingCached());
    assertThat(c.serveCached().origin()).isEqualTo(Switch.Origin.AUTOMATIC);
    assertThat(c.serveCached().who()).isEqualTo("trigger:busy@a");

    bSignal.set(10.0);
    b.evaluate();
    aSignal.set(0.0);
    a.evaluate(); // a recovered, b has not: still degraded
    await().atMost(DEADLINE).until(() -> c.serveCached().who().equals("trigger:busy@b"));
    assertThat(c.isServingCached()).isTrue();

    b.close(); // an instance that goes away withdraws its engagement
    await().atMost(DEADLINE).until(() -> !c.isServingCached() && !a.isServingCached());
  }

  @Test
  void aLocalTriggerStaysOnItsInstance() {
    AtomicReference<Double> signal = new AtomicReference<>(10.0);
    Switchboard a = board("a", Trigger.builder("local").signal(Signal.of("v", signal::get)).enterAt(1).exitAt(0)
        .minDwell(Duration.ZERO).degrade(SwitchName.READ_ONLY).build());
    Switchboard b = board("b");
    a.evaluate();
    assertThat(a.isReadOnly()).isTrue();
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "marker"));
    await().atMost(DEADLINE).until(b::isServingCached);
    assertThat(b.isReadOnly()).isFalse();
    assertThat(redis.hkeys(hashKey())).containsExactlyInAnyOrder("_version", "_epoch", "switch:serve-cached");
  }

  @Test
  void refreshReadsTheWholeState() {
    Switchboard a = board("a");
    redis.hset(hashKey(), "mode:survival", "1700000000000|ops|direct|feature:*=0,read-only=1,serve-cached=1");
    redis.hincrby(hashKey(), "_version", 5);
    assertThat(a.isReadOnly()).isFalse();
    a.refresh();
    assertThat(a.isReadOnly()).isTrue();
    assertThat(a.activeModes()).containsExactly("survival");
  }

  @RepeatedTest(5) // racy by nature: each repetition is another interleaving, on the state the last one left
  void concurrentFlipsOnTwoInstancesConvergeToTheStateInRedis() throws Exception {
    Switchboard a = board("a");
    Switchboard b = board("b");
    List<SwitchName> names = List.of(SwitchName.SERVE_CACHED, SwitchName.READ_ONLY, SwitchName.feature("reviews"),
        SwitchName.feature("wishlist"));
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Switchboard target = t % 2 == 0 ? a : b;
      long seed = t;
      Thread thread = new Thread(() -> {
        java.util.Random random = new java.util.Random(seed);
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 100; i++) {
          SwitchName n = names.get(random.nextInt(names.size()));
          switch (random.nextInt(3)) {
            case 0 -> {
              if (random.nextBoolean()) {
                target.degrade(n, new Reason("t" + seed, "i" + i));
              } else {
                target.restore(n, new Reason("t" + seed, "i" + i));
              }
            }
            case 1 -> target.release(n, "t" + seed);
            default -> target.enterMode(Mode.SURVIVAL, new Reason("t" + seed, "i" + i));
          }
          if (random.nextInt(10) == 0) {
            target.leaveMode(Mode.SURVIVAL, "t" + seed);
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    Switchboard fresh = board("fresh"); // reads the state in Redis from scratch
    await().atMost(DEADLINE).untilAsserted(() -> {
      assertThat(a.switches()).isEqualTo(fresh.switches());
      assertThat(b.switches()).isEqualTo(fresh.switches());
    });
  }

  @Test
  void aMissedBroadcastIsNoticedByItsVersionAndTheWholeStateIsReadAgain() {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "one"));
    await().atMost(DEADLINE).until(b::isServingCached);
    // Written without a broadcast (missed), then a broadcast two versions later for another field.
    String epoch = redis.hget(hashKey(), "_epoch");
    redis.hincrby(hashKey(), "_version", 1);
    redis.hset(hashKey(), "switch:read-only", "1700000000000|ops|missed|read-only=1");
    long version = redis.hincrby(hashKey(), "_version", 1);
    String wishlistOff = "1700000000000|ops|heard|feature:wishlist=0";
    redis.hset(hashKey(), "switch:feature:wishlist", wishlistOff);
    redis.publish(hashKey() + ":changes", epoch + "|" + version + "|set|switch:feature:wishlist||" + wishlistOff);

    await().atMost(DEADLINE).until(() -> !b.isFeatureEnabled("wishlist") && b.isReadOnly());
    assertThat(b.readOnly().why()).isEqualTo("missed");
  }

  @Test
  void aBroadcastOfAnOlderVersionWithoutStampsStillApplies() {
    Switchboard a = board("a");
    Switchboard b = board("b");
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "one"));
    await().atMost(DEADLINE).until(b::isServingCached);
    String epoch = redis.hget(hashKey(), "_epoch");
    long version = redis.hincrby(hashKey(), "_version", 1);
    String value = "1700000000000|old|instance|feature:wishlist=0";
    redis.hset(hashKey(), "switch:feature:wishlist", value);
    redis.publish(hashKey() + ":changes", epoch + "|" + version + "|set|switch:feature:wishlist|" + value);
    long deleted = redis.hincrby(hashKey(), "_version", 1);
    redis.hdel(hashKey(), "switch:serve-cached");
    redis.publish(hashKey() + ":changes", epoch + "|" + deleted + "|del|switch:serve-cached|");
    await().atMost(DEADLINE).until(() -> !b.isFeatureEnabled("wishlist") && !b.isServingCached());
    assertThat(b.feature("wishlist").who()).isEqualTo("old");
  }

  @Test
  void theSlowPeriodicCheckReadsTheWholeState() {
    Switchboard a = Switchboard.builder().name(name).redis(client).instanceId("a")
        .refreshEvery(Duration.ofMillis(100)).build();
    boards.add(a);
    redis.hincrby(hashKey(), "_version", 1);
    redis.hset(hashKey(), "switch:read-only", "1700000000000|ops|unannounced|read-only=1");
    await().atMost(DEADLINE).until(a::isReadOnly);
  }

  private static Trigger fleetTrigger(AtomicReference<Double> signal) {
    return Trigger.builder("busy").signal(Signal.of("v", signal::get)).enterAt(5).exitAt(1).minDwell(Duration.ZERO)
        .degrade(SwitchName.SERVE_CACHED).scope(Trigger.Scope.FLEET).build();
  }
}
