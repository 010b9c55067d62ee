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
   * Whatever the wall clocks of two instances do within the trusted bound (jumping back, standing still,
   * apart), every stamp an instance makes is newer than every stamp it made or saw before: an action taken
   * after seeing another's change wins over it.
   */
  @Property(tries = 300)
  void aStampIsNewerThanEveryStampMadeOrSeenBefore(@ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long base,
      @ForAll @Size(min = 1, max = 40) List<@LongRange(min = 0, max = Hlc.MAX_AHEAD_MILLIS / 2) Long> aTimes,
      @ForAll @Size(min = 1, max = 40) List<@LongRange(min = 0, max = Hlc.MAX_AHEAD_MILLIS / 2) Long> bTimes) {
    MutableClock aClock = new MutableClock();
    MutableClock bClock = new MutableClock();
    Hlc a = new Hlc("a", aClock);
    Hlc b = new Hlc("b", bClock);
    String newest = "";
    for (int i = 0; i < Math.max(aTimes.size(), bTimes.size()); i++) {
      aClock.millis = base + aTimes.get(i % aTimes.size());
      bClock.millis = base + bTimes.get(i % bTimes.size());
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
      assertThat(hlc.trusted(garbage)).isEmpty();
      assertThat(hlc.next()).isEqualTo(new Hlc("a", clock).next()); // as if it had seen nothing
    }
  }

  /**
   * A stamp further ahead of this host's clock than the bound (a host whose clock ran away, an entry edited
   * by hand, up to the largest stamp there is) neither moves the clock nor counts as newer than anything:
   * this instance's next stamps stay near its own time and sort after the older ones, instead of jumping
   * to the far future, overflowing the 13 digits of millis and sorting before everything.
   */
  @Property(tries = 200)
  void aStampFromBeyondTheBoundIsNotTrusted(@ForAll @LongRange(min = 0, max = 9_000_000_000_000L) long now,
      @ForAll @LongRange(min = Hlc.MAX_AHEAD_MILLIS + 1, max = 9_999_999_999_999L) long ahead) {
    MutableClock clock = new MutableClock();
    clock.millis = now;
    Hlc hlc = new Hlc("a", clock);
    String before = hlc.next();
    String far = String.format("%013d%06d@x", Math.min(9_999_999_999_999L, now + ahead), 999_999);
    hlc.observe(far);
    assertThat(hlc.trusted(far)).isEmpty();
    String after = hlc.next();
    assertThat(Hlc.valid(after)).isTrue();
    assertThat(Hlc.newer(after, before)).isTrue();
    assertThat(after).startsWith(String.format("%013d", now)); // not moved towards the far stamp
    String near = String.format("%013d%06d@x", now + Hlc.MAX_AHEAD_MILLIS, 0);
    assertThat(hlc.trusted(near)).isEqualTo(near); // the bound itself is still trusted
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
