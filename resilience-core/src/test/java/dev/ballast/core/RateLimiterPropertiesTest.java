package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.ManualTicker;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The token bucket's guarantees, checked with exact integer arithmetic against random capacities, rates
 * (exact and clamped) and random sequences of (advance time, acquire n).
 */
class RateLimiterPropertiesTest {

  /** One random run: the bucket's shape and the steps taken against a manual clock. */
  record Scenario(long capacity, long refillPermits, long periodNanos, long initialPermits, List<Step> steps) {}

  /** Advance the clock by {@code advanceNanos}, then ask for {@code permits}. */
  record Step(long advanceNanos, int permits) {}

  /** A granted request: when, and how many permits. */
  record Grant(long time, long permits) {}

  @Provide
  Arbitrary<Scenario> anyRate() {
    return scenarios(Arbitraries.longs().between(1, 5_000_000));
  }

  @Provide
  Arbitrary<Scenario> exactRate() {
    // refillPermits <= 1024 keeps the reduced scale within Gcra.MAX_SCALE: the rate is exact.
    return scenarios(Arbitraries.longs().between(1, 1024));
  }

  private Arbitrary<Scenario> scenarios(Arbitrary<Long> refillPermits) {
    Arbitrary<Long> capacities = Arbitraries.longs().between(1, 1000);
    Arbitrary<Long> periods = Arbitraries.oneOf(
        Arbitraries.longs().between(1, 10_000_000_000L),
        Arbitraries.of(1_000_000_000L, 100_000_000L, 60_000_000_000L));
    Arbitrary<Double> initialFraction = Arbitraries.doubles().between(0, 1);
    Arbitrary<List<long[]>> rawSteps = Combinators.combine(
            Arbitraries.oneOf(Arbitraries.longs().between(0, 40), Arbitraries.longs().between(0, 100_000)),
            Arbitraries.longs().between(1, 1000))
        .as((units, n) -> new long[] {units, n})
        .list().ofMaxSize(150);
    return Combinators.combine(capacities, refillPermits, periods, initialFraction, rawSteps)
        .as((capacity, permits, period, fraction, raw) -> {
          long permitNanos = Math.max(1, period / permits);
          List<Step> steps = new ArrayList<>();
          for (long[] step : raw) {
            // Advance in quarters of a permit's refill time, so runs mix draining, waiting and refilling.
            steps.add(new Step(step[0] * permitNanos / 4, (int) (1 + (step[1] - 1) % capacity)));
          }
          return new Scenario(capacity, permits, period, (long) (fraction * capacity), steps);
        })
        .filter(s -> fits(s.capacity(), s.refillPermits(), s.periodNanos()));
  }

  private static boolean fits(long capacity, long refillPermits, long periodNanos) {
    try {
      dev.ballast.core.internal.Gcra.check(capacity, refillPermits, periodNanos);
      return true;
    } catch (IllegalArgumentException tooLarge) {
      return false;
    }
  }

  private static RateLimiter limiter(Scenario s, ManualTicker now) {
    return RateLimiter.builder()
        .capacity(s.capacity())
        .refill(s.refillPermits(), Duration.ofNanos(s.periodNanos()))
        .initialPermits(s.initialPermits())
        .ticker(now::read)
        .build();
  }

  @Property(tries = 300)
  void remainingNeverExceedsCapacity(@ForAll("anyRate") Scenario s) {
    ManualTicker now = new ManualTicker(-s.periodNanos()); // any origin works, negative included
    RateLimiter limiter = limiter(s, now);
    assertThat(limiter.availablePermits()).isEqualTo(s.initialPermits());
    for (Step step : s.steps()) {
      now.advanceNanos(step.advanceNanos());
      long available = limiter.availablePermits();
      assertThat(available).isBetween(0L, s.capacity());
      long result = limiter.tryAcquireOrNanosToWait(step.permits());
      if (result == 0) {
        assertThat(available).isGreaterThanOrEqualTo(step.permits());
        assertThat(limiter.availablePermits()).isEqualTo(available - step.permits());
      } else {
        assertThat(available).isLessThan(step.permits());
        assertThat((result)).isPositive();
        assertThat(limiter.availablePermits()).isEqualTo(available); // a refusal takes nothing
      }
    }
  }

  @Property(tries = 300)
  void grantsInAnyWindowStayWithinCapacityPlusRateTimesWindow(@ForAll("anyRate") Scenario s) {
    ManualTicker now = new ManualTicker(Long.MAX_VALUE - 1_000_000); // the ticker wraps during the run
    RateLimiter limiter = limiter(s, now);
    List<Grant> grants = new ArrayList<>();
    long elapsed = 0;
    for (Step step : s.steps()) {
      now.advanceNanos(step.advanceNanos());
      elapsed += step.advanceNanos();
      // Ask until refused, so the windows see as many grants as the limiter will give; grants at one
      // instant are summed, as every window holds all of them or none.
      long atThisInstant = 0;
      while (limiter.tryAcquire(step.permits())) {
        atThisInstant += step.permits();
      }
      if (atThisInstant > 0) {
        grants.add(new Grant(elapsed, atThisInstant));
      }
    }
    assertWindowBound(grants, s.capacity(), s.refillPermits(), s.periodNanos());
  }

  /** For every window [t_i, t_j]: granted × period <= capacity × period + refillPermits × (t_j - t_i). */
  private static void assertWindowBound(List<Grant> grants, long capacity, long refillPermits, long period) {
    BigInteger p = BigInteger.valueOf(period);
    BigInteger capacityTerm = BigInteger.valueOf(capacity).multiply(p);
    BigInteger r = BigInteger.valueOf(refillPermits);
    for (int i = 0; i < grants.size(); i++) {
      long sum = 0;
      for (int j = i; j < grants.size(); j++) {
        sum += grants.get(j).permits();
        BigInteger window = BigInteger.valueOf(grants.get(j).time() - grants.get(i).time());
        BigInteger allowed = capacityTerm.add(r.multiply(window));
        assertThat(BigInteger.valueOf(sum).multiply(p))
            .as("window [%d, %d] granted %d", grants.get(i).time(), grants.get(j).time(), sum)
            .isLessThanOrEqualTo(allowed);
      }
    }
  }

  @Property(tries = 300)
  void continuousDemandIsNeverStarvedAndNeverDrifts(@ForAll("exactRate") Scenario s) {
    ManualTicker now = new ManualTicker();
    RateLimiter limiter = RateLimiter.builder()
        .capacity(s.capacity())
        .refill(s.refillPermits(), Duration.ofNanos(s.periodNanos()))
        .ticker(now::read)
        .build();
    long elapsed = 0;
    long granted = 0;
    int lastPermits = 1;
    long retriesOnTheNanosecond = 0;
    long result;
    // Continuous demand: ask until refused, and come back no later than the limiter said to, so that
    // no refill is ever thrown away by a full bucket.
    while ((result = limiter.tryAcquireOrNanosToWait(1)) == 0) {
      granted++;
    }
    for (Step step : s.steps()) {
      long wait = (result);
      long advance = Math.min(step.advanceNanos(), wait);
      now.advanceNanos(advance);
      elapsed += advance;
      if (advance == wait) {
        retriesOnTheNanosecond++;
        if (step.permits() == lastPermits) {
          assertThat(limiter.availablePermits()).as("after nanosToWait").isGreaterThanOrEqualTo(lastPermits);
        }
      }
      while ((result = limiter.tryAcquireOrNanosToWait(step.permits())) == 0) {
        granted += step.permits();
      }
      lastPermits = step.permits();
    }
    long refilled = BigInteger.valueOf(elapsed).multiply(BigInteger.valueOf(s.refillPermits()))
        .divide(BigInteger.valueOf(s.periodNanos())).longValueExact();
    assertThat(granted).isLessThanOrEqualTo(s.capacity() + refilled);
    // Exact lower bound, in scaled units (scale units per ns, cost units per permit): the final refusal
    // means granted × cost > (capacity - n) × cost + elapsed × scale - lost, where lost is what a full
    // bucket threw away. A caller that comes back after nanosToWait, rounded up to whole nanoseconds,
    // can find the bucket overfull by less than one nanosecond of refill: at most scale - 1 units.
    long g = BigInteger.valueOf(s.refillPermits()).gcd(BigInteger.valueOf(s.periodNanos())).longValueExact();
    BigInteger scale = BigInteger.valueOf(s.refillPermits() / g);
    BigInteger cost = BigInteger.valueOf(s.periodNanos() / g);
    BigInteger lost = BigInteger.valueOf(retriesOnTheNanosecond).multiply(scale.subtract(BigInteger.ONE));
    BigInteger lowerBound = BigInteger.valueOf(s.capacity() - lastPermits).multiply(cost)
        .add(BigInteger.valueOf(elapsed).multiply(scale)).subtract(lost);
    assertThat(BigInteger.valueOf(granted).multiply(cost)).isGreaterThan(lowerBound);
    if (scale.equals(BigInteger.ONE)) {
      assertThat(granted).isGreaterThan(s.capacity() + refilled - lastPermits);
    }
  }

  @Example
  void tenSimulatedHoursAtThreePerSecondGrantExactlyTheRate() {
    assertExactOverTenHours(3, Duration.ofSeconds(1));
  }

  @Example
  void tenSimulatedHoursAtSevenPerHundredMillisGrantExactlyTheRate() {
    assertExactOverTenHours(7, Duration.ofMillis(100));
  }

  private static void assertExactOverTenHours(long refillPermits, Duration period) {
    long capacity = 5;
    ManualTicker now = new ManualTicker(123_456_789);
    RateLimiter limiter = RateLimiter.builder()
        .capacity(capacity).refill(refillPermits, period).ticker(now::read).build();
    long tenHours = Duration.ofHours(10).toNanos();
    long step = 7_919_113; // an awkward prime number of nanoseconds, well under the refill time
    long elapsed = 0;
    long granted = 0;
    while (limiter.tryAcquire()) { // demand starts with the run: the full bucket is taken at once
      granted++;
    }
    while (elapsed < tenHours) {
      long advance = Math.min(step, tenHours - elapsed);
      now.advanceNanos(advance);
      elapsed += advance;
      while (limiter.tryAcquire()) {
        granted++;
      }
    }
    long expected = capacity + tenHours / period.toNanos() * refillPermits
        + (tenHours % period.toNanos()) * refillPermits / period.toNanos();
    assertThat(granted).isEqualTo(expected);
  }
}
