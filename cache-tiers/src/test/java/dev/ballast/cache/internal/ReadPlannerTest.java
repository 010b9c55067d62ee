package dev.ballast.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The read path's decisions, without Redis: a pure function from what the tiers hold to a plan. */
class ReadPlannerTest {

  private static final long NOW = 1_000_000_000L;
  private static final long REDIS_NOW = 1_700_000_000_000L;
  private final ReadPlanner twoTier = new ReadPlanner(true, false, 0, true);
  private final ReadPlanner swr = new ReadPlanner(true, true, 0, true);

  private static L1Entry<String> local(long softIn, long hardIn) {
    return new L1Entry<>("local", NOW, NOW + softIn, NOW + hardIn);
  }

  private static L2Read<String> redis(long softInMs, long hardInMs) {
    return new Decoded<>("redis", REDIS_NOW - 10, REDIS_NOW + softInMs, REDIS_NOW + hardInMs, 5);
  }

  @Test
  void aSparedOriginServesWhateverIsCachedBeforeAskingRedis() {
    assertThat(twoTier.plan(local(-10, -5), null, true, NOW, REDIS_NOW, 0.5)).isInstanceOf(Plan.Spared.class);
    assertThat(twoTier.<String>plan(null, null, true, NOW, REDIS_NOW, 0.5)).isInstanceOf(Plan.ReadRedis.class);
    Plan<String> plan = twoTier.plan(null, redis(-100, -50), true, NOW, REDIS_NOW, 0.5);
    assertThat(((Plan.Spared<String>) plan).redis().value()).as("however old").isEqualTo("redis");
  }

  @Test
  void staleL1IsServedWithARefreshUnderStaleWhileRevalidate() {
    assertThat(swr.plan(local(-10, 1_000), null, false, NOW, REDIS_NOW, 0.5)).isInstanceOf(Plan.ServeLocal.class);
    assertThat(twoTier.plan(local(-10, 1_000), null, false, NOW, REDIS_NOW, 0.5)).isInstanceOf(Plan.ReadRedis.class);
  }

  @Test
  void redisDecides() {
    assertThat(twoTier.plan(null, redis(100, 200), false, NOW, REDIS_NOW, 0.5)).isInstanceOf(Plan.ServeRedis.class);
    Plan<String> stale = twoTier.plan(null, redis(-100, 200), false, NOW, REDIS_NOW, 0.5);
    assertThat(stale).isInstanceOf(Plan.Load.class);
    assertThat(((Plan.Load<String>) stale).stale().value()).as("kept for stale-if-error").isEqualTo("redis");
    assertThat(((Plan.Load<String>) stale).leased()).isTrue();
    assertThat(((Plan.ServeRedis<String>) swr.plan(null, redis(-100, 200), false, NOW, REDIS_NOW, 0.5)).stale())
        .isTrue();
    Plan<String> unreadable = twoTier.plan(null, new L2Read.Unreadable<>(42), false, NOW, REDIS_NOW, 0.5);
    assertThat(((Plan.Load<String>) unreadable).unreadableMs()).as("through the lease").isEqualTo(42);
    assertThat(((Plan.Load<String>) unreadable).leased()).isTrue();
  }

  @Test
  void redisDownServesAFreshL1EntryElseLoadsForThisInstanceOnly() {
    Plan<String> keep = twoTier.plan(local(10, 20), new L2Read.Down<>(), false, NOW, REDIS_NOW, 0.5);
    assertThat(((Plan.ServeLocal<String>) keep).keep()).isTrue();
    Plan<String> load = twoTier.plan(null, new L2Read.Down<>(), false, NOW, REDIS_NOW, 0.5);
    assertThat(((Plan.Load<String>) load).leased()).isFalse();
  }

  @Property
  void withoutRedisEveryMissIsALocalLoad(@ForAll @LongRange(min = -1000, max = 1000) long softIn) {
    ReadPlanner local = new ReadPlanner(false, false, 0, true);
    Plan<String> plan = local.plan(local(softIn, softIn + 10), null, false, NOW, REDIS_NOW, 0.5);
    assertThat(plan).isInstanceOf(Plan.Load.class);
    assertThat(((Plan.Load<String>) plan).leased()).isFalse();
  }

  @Property
  void earlyRefreshNeverFiresOnAFarExpiryAndAlwaysAtIt(@ForAll @LongRange(min = 1, max = 1_000) long loadMs) {
    ReadPlanner xfetch = new ReadPlanner(true, false, 1.0, true);
    L2Read<String> atExpiry = new Decoded<>("v", REDIS_NOW - 1, REDIS_NOW + 1, REDIS_NOW + 9, loadMs);
    L2Read<String> far = new Decoded<>("v", REDIS_NOW - 1, REDIS_NOW + 1_000_000_000L,
        REDIS_NOW + 2_000_000_000L, loadMs);
    assertThat(((Plan.ServeRedis<String>) xfetch.plan(null, atExpiry, false, NOW, REDIS_NOW, 0.01)).refreshSeenMs())
        .isEqualTo(REDIS_NOW - 1);
    assertThat(((Plan.ServeRedis<String>) xfetch.plan(null, far, false, NOW, REDIS_NOW, 0.999)).refreshSeenMs())
        .isEqualTo(Plan.NO_REFRESH);
  }
}
