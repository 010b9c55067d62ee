package dev.ballast.degradation.internal;

import dev.ballast.degradation.FleetTestSupport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.degradation.Signal;
import dev.ballast.degradation.SwitchChange;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.SwitchboardBuilder;
import dev.ballast.degradation.Trigger;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Renewals of fleet trigger leases cannot be starved: one script call renews every engaged entry, and a
 * thread of its own renews on a fixed rate, so a live instance keeps its engagements while Redis is slow
 * (every call slowed by {@code DEBUG SLEEP}, yet answered within the Redis timeout), at the smallest lease
 * allowed: 6 × the Redis timeout.
 */
class FleetLeaseRenewalTest extends FleetTestSupport {

  @RegisterExtension
  static final RedisExtension REDIS =
      RedisExtension.dedicated(RedisServer.builder().debugCommand());

  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private static final Duration LEASE = TIMEOUT.multipliedBy(BoardConfig.MIN_LEASE_TIMEOUTS);
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  /** Under the Redis timeout (300 ms) and the guard's slow-call threshold (250 ms): slow, not down. */
  private static final double SLEEP_SECONDS = 0.15;
  private static final int TRIGGERS = 8;


  private Switchboard board(String instance, UnaryOperator<SwitchboardBuilder> options, int triggers) {
    SwitchboardBuilder b = Switchboard.builder().name(name).redis(client).instanceId(instance)
        .fleetTriggerLease(LEASE).redisTimeout(TIMEOUT);
    for (int i = 0; i < triggers; i++) {
      b.trigger(Trigger.builder("busy" + i).signal(Signal.of("v", () -> 10.0)).enterAt(5).exitAt(1)
          .minDwell(Duration.ZERO).degrade(SwitchName.SERVE_CACHED).scope(Trigger.Scope.FLEET).build());
    }
    Switchboard board = options.apply(b).build();
    boards.add(board);
    return board;
  }

  private String hashKey() {
    return "ballast:degradation:{" + name + "}";
  }

  private String leasesKey() {
    return hashKey() + ":leases";
  }

  private static String field(int trigger) {
    return "auto:busy" + trigger + "@a";
  }

  private Map<String, Long> expiries() {
    Map<String, Long> expiries = new HashMap<>();
    redis.hgetall(leasesKey()).forEach((field, expiry) -> expiries.put(field, Long.parseLong(expiry)));
    return expiries;
  }

  private long redisMillis() {
    List<String> time = redis.time();
    return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
  }

  /** Script calls Redis has run so far, EVALSHA and EVAL. */
  private long scriptCalls() {
    long calls = 0;
    Matcher m = Pattern.compile("cmdstat_(?:evalsha|eval):calls=(\\d+)").matcher(redis.info("commandstats"));
    while (m.find()) {
      calls += Long.parseLong(m.group(1));
    }
    return calls;
  }

  @Test
  void aLiveInstanceKeepsSeveralEngagementsThroughManyLeasesWhileRedisIsSlow() throws InterruptedException {
    Switchboard a = board("a", b -> b, TRIGGERS);
    Switchboard b = board("b", o -> o, 0); // prunes on its own schedule, every third of the lease
    a.evaluate();
    await().atMost(DEADLINE).until(() -> b.isServingCached() && expiries().size() == TRIGGERS);
    // A dead instance's entry that lapses while Redis is slow: proof that pruning goes on meanwhile.
    redis.hset(hashKey(), "auto:gone@z", "1700000000000|trigger:gone@z|old|read-only=1");
    redis.hincrby(hashKey(), "_version", 1);
    redis.hset(leasesKey(), "auto:gone@z", Long.toString(redisMillis() + LEASE.toMillis()));
    b.refresh();
    assertThat(b.isReadOnly()).isTrue();
    List<SwitchChange> changes = new CopyOnWriteArrayList<>();
    b.addListener(changes::add);
    Map<String, Long> first = expiries();

    AtomicBoolean slow = new AtomicBoolean(true);
    AtomicInteger sleeps = new AtomicInteger();
    Thread sleeper = new Thread(() -> {
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        while (slow.get()) {
          // Redis answers nobody meanwhile: every call waits up to this long.
          c.sync().dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
              new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(Double.toString(SLEEP_SECONDS)));
          sleeps.incrementAndGet();
        }
      }
    }, "redis-sleeper");
    sleeper.start();
    try {
      // Every lease renewed until it lies four leases past where it was: four leases have passed meanwhile.
      await().atMost(DEADLINE).until(() -> {
        Map<String, Long> now = expiries();
        for (int i = 0; i < TRIGGERS; i++) {
          Long expiry = now.get(field(i));
          if (expiry == null || expiry < first.get(field(i)) + 4 * LEASE.toMillis()) {
            return false;
          }
        }
        return true;
      });
    } finally {
      slow.set(false);
      sleeper.join();
    }

    assertThat(sleeps.get()).as("Redis was slowed throughout").isGreaterThan(20);
    assertThat(b.isReadOnly()).as("b pruned the dead instance's entry meanwhile").isFalse();
    assertThat(changes).as("b never lost serve-cached")
        .noneMatch(change -> change.after().name().equals(SwitchName.SERVE_CACHED));
    assertThat(b.isServingCached()).isTrue();
    assertThat(a.isServingCached()).isTrue();
    for (int i = 0; i < TRIGGERS; i++) {
      assertThat(redis.hexists(hashKey(), field(i))).as(field(i)).isTrue();
    }
  }

  @Test
  void oneScriptCallRenewsTheLeaseOfEveryEngagedTriggerWithoutABroadcast() {
    Switchboard a = board("a", SwitchboardBuilder::manualSchedule, 5);
    a.evaluate();
    Map<String, Long> before = expiries();
    assertThat(before).hasSize(5);
    String version = redis.hget(hashKey(), "_version");
    long latest = before.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    // Redis time must move past the latest write, or a renewal could leave an expiry as it was.
    await().atMost(DEADLINE).until(() -> redisMillis() > latest - LEASE.toMillis() + 5);
    long calls = scriptCalls();

    ((DefaultSwitchboard) a).renewLeases();

    assertThat(scriptCalls() - calls).as("script calls for five renewals").isEqualTo(1);
    Map<String, Long> after = expiries();
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((field, expiry) -> assertThat(after.get(field)).as(field).isGreaterThan(expiry));
    assertThat(after.values()).as("one Redis TIME for all").containsOnly(after.get(field(0)));
    assertThat(redis.hget(hashKey(), "_version")).as("a renewal changes no version").isEqualTo(version);
  }

  @Test
  void oneRenewalCallWritesAfreshTheEntriesThatWereGoneAndRenewsTheOthers() {
    Switchboard a = board("a", SwitchboardBuilder::manualSchedule, 3);
    a.evaluate();
    // As if pruned while a was cut off from Redis.
    redis.hdel(hashKey(), field(0), field(1));
    redis.hdel(leasesKey(), field(0), field(1));
    long version = Long.parseLong(redis.hget(hashKey(), "_version"));

    ((DefaultSwitchboard) a).renewLeases();

    assertThat(redis.hkeys(hashKey())).contains(field(0), field(1), field(2));
    assertThat(expiries().keySet()).containsExactlyInAnyOrder(field(0), field(1), field(2));
    assertThat(Long.parseLong(redis.hget(hashKey(), "_version"))).as("the two written afresh, each broadcast")
        .isEqualTo(version + 2);
    assertThat(a.isServingCached()).isTrue();
  }
}
