package dev.ballast.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class HlcTest {

  /**
   * Whatever the wall clocks of two instances do (jumping back, standing still), every stamp an instance
   * makes is newer than every stamp it made or saw before: an action taken after seeing another's change
   * wins over it.
   */
  @Property(tries = 300)
  void aStampIsNewerThanEveryStampMadeOrSeenBefore(
      @ForAll @Size(min = 1, max = 40) List<@LongRange(min = 0, max = 4_000_000_000_000L) Long> aTimes,
      @ForAll @Size(min = 1, max = 40) List<@LongRange(min = 0, max = 4_000_000_000_000L) Long> bTimes) {
    MutableClock aClock = new MutableClock();
    MutableClock bClock = new MutableClock();
    Hlc a = new Hlc("a", aClock);
    Hlc b = new Hlc("b", bClock);
    String newest = "";
    for (int i = 0; i < Math.max(aTimes.size(), bTimes.size()); i++) {
      aClock.millis = aTimes.get(i % aTimes.size());
      bClock.millis = bTimes.get(i % bTimes.size());
      String fromA = a.next();
      assertThat(Hlc.valid(fromA)).isTrue();
      assertThat(Hlc.newer(fromA, newest)).isTrue();
      b.observe(fromA); // b sees a's change, then acts
      String fromB = b.next();
      assertThat(Hlc.newer(fromB, fromA)).isTrue();
      a.observe(fromB);
      newest = fromB;
    }
  }

  @Property(tries = 300)
  void stampsOrderByTimeThenCounterThenInstance(@ForAll @LongRange(min = 0, max = 9_999_999_999_999L) long t1,
      @ForAll @LongRange(min = 0, max = 9_999_999_999_999L) long t2) {
    MutableClock clock = new MutableClock();
    clock.millis = t1;
    String first = new Hlc("z", clock).next();
    clock.millis = t2;
    String second = new Hlc("a", clock).next();
    assertThat(Long.signum(first.compareTo(second))).isEqualTo(t1 == t2 ? 1 : Long.signum(Long.compare(t1, t2)));
  }

  @Property(tries = 100)
  void invalidStampsAreTheOldestAndNeverMoveTheClock(@ForAll String garbage) {
    MutableClock clock = new MutableClock();
    Hlc hlc = new Hlc("a", clock);
    if (!Hlc.valid(garbage)) {
      hlc.observe(garbage);
      assertThat(Hlc.orOldest(garbage)).isEmpty();
      assertThat(hlc.next()).isEqualTo(new Hlc("a", clock).next()); // as if it had seen nothing
    }
  }

  private static final class MutableClock extends Clock {
    long millis;

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
