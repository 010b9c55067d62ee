package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromOneSecondToSixteenAndStays() {
    Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16));
    long[] delays = new long[7];
    for (int retry = 1; retry <= 7; retry++) {
      delays[retry - 1] = backoff.delayNanos(retry, 0) / 1_000_000_000L;
    }
    assertThat(delays).containsExactly(1, 2, 4, 8, 16, 16, 16);
  }

  @Test
  void hugeRetryNumbersSaturateAtTheMaximum() {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(1), Duration.ofDays(365_000));
    assertThat(backoff.delayNanos(Integer.MAX_VALUE, 0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aSeededRandomRepeatsItsDelays() {
    Backoff a = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10))
        .withJitter(Jitter.FULL).withRandom(new SplittableRandom(42));
    Backoff b = a.withRandom(new SplittableRandom(42));
    for (int retry = 1; retry < 20; retry++) {
      assertThat(a.delayNanos(retry, 0)).isEqualTo(b.delayNanos(retry, 0));
    }
  }

  @Property
  void everyJitterStaysWithinItsBounds(
      @ForAll @LongRange(min = 1, max = 10_000_000_000L) long initialNanos,
      @ForAll @DoubleRange(min = 1.0, max = 10.0) double multiplier,
      @ForAll @IntRange(min = 1, max = 1_000) int factor,
      @ForAll @IntRange(min = 1, max = 200) int retry,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long previous,
      @ForAll Jitter jitter,
      @ForAll long seed) {
    Duration initial = Duration.ofNanos(initialNanos);
    Duration max = initial.multipliedBy(factor);
    Backoff backoff = new Backoff(initial, multiplier, max, jitter, new SplittableRandom(seed));
    long plain = Math.min(max.toNanos(), (long) Math.min(Long.MAX_VALUE, initialNanos * Math.pow(multiplier, retry - 1)));
    long delay = backoff.delayNanos(retry, previous);

    assertThat(delay).isBetween(0L, max.toNanos());
    switch (jitter) {
      case NONE -> assertThat(delay).isEqualTo(plain);
      case FULL -> assertThat(delay).isBetween(0L, plain);
      case EQUAL -> assertThat(delay).isBetween(plain - plain / 2, plain);
      case DECORRELATED -> {
        long base = Math.max(previous, initialNanos);
        long upper = base > max.toNanos() / 3 ? max.toNanos() : Math.min(base * 3, max.toNanos());
        assertThat(delay).isBetween(initialNanos, Math.max(initialNanos, upper));
      }
    }
  }

  @Property
  void delaysWithoutJitterNeverShrink(
      @ForAll @LongRange(min = 1, max = 1_000_000_000L) long initialNanos,
      @ForAll @DoubleRange(min = 1.0, max = 4.0) double multiplier,
      @ForAll @IntRange(min = 1, max = 100) int retry) {
    Backoff backoff = new Backoff(Duration.ofNanos(initialNanos), multiplier, Duration.ofSeconds(30), Jitter.NONE, null);
    assertThat(backoff.delayNanos(retry + 1, 0)).isGreaterThanOrEqualTo(backoff.delayNanos(retry, 0));
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Backoff.initial");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Backoff.max");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(1)).withMultiplier(0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Backoff.multiplier");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(1)).withMultiplier(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Backoff.multiplier");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(1)).withJitter(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("Backoff.jitter");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(1)).delayNanos(0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retry");
  }
}
