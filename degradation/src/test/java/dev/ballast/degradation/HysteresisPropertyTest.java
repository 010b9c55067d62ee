package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Through the whole switchboard: a trigger driven by a noisy signal and a manual ticker. */
class HysteresisPropertyTest {

  private static final double ENTER = 300;
  private static final double EXIT = 200;

  record Reading(long afterMillis, double value) {}

  @Provide
  Arbitrary<List<Reading>> inBand() {
    return Combinators.combine(Arbitraries.longs().between(0, 5_000), Arbitraries.doubles().between(EXIT, ENTER)
        .filter(v -> v > EXIT && v < ENTER)).as(Reading::new).list().ofMaxSize(300);
  }

  @Provide
  Arbitrary<List<Reading>> anywhere() {
    return Combinators.combine(Arbitraries.longs().between(0, 5_000), Arbitraries.oneOf(
        Arbitraries.doubles().between(0, 500), Arbitraries.just(Double.NaN), Arbitraries.of(EXIT, ENTER)))
        .as(Reading::new).list().ofMaxSize(300);
  }

  @Property(tries = 200)
  void aSignalOscillatingInsideTheBandNeverFlips(@ForAll("inBand") List<Reading> readings,
      @ForAll boolean startEngaged) {
    List<Long> flips = run(readings, 10_000, startEngaged);
    assertThat(flips).hasSize(startEngaged ? 1 : 0); // only the flip that put it in its starting position
  }

  @Property(tries = 300)
  void anySignalNeverFlipsASwitchMoreThanOncePerDwellTime(@ForAll("anywhere") List<Reading> readings,
      @ForAll @IntRange(min = 0, max = 20_000) int dwellMillis) {
    List<Long> flips = run(readings, dwellMillis, false);
    for (int i = 1; i < flips.size(); i++) {
      assertThat(flips.get(i) - flips.get(i - 1)).isGreaterThanOrEqualTo(dwellMillis * 1_000_000L);
    }
  }

  @Property(tries = 100)
  void crossingTheEnterThresholdEngagesOnceTheDwellTimeIsOver(@ForAll @IntRange(min = 1, max = 20_000) int dwellMillis) {
    List<Long> flips = run(List.of(new Reading(0, ENTER), new Reading(1, EXIT), new Reading(dwellMillis - 1, EXIT),
        new Reading(1, EXIT)), dwellMillis, false);
    assertThat(flips).hasSize(2);
    assertThat(flips.get(1) - flips.get(0)).isEqualTo(dwellMillis * 1_000_000L);
  }

  /** Feeds the readings and returns the ticker times at which serve-cached changed position. */
  private static List<Long> run(List<Reading> readings, long dwellMillis, boolean startEngaged) {
    ManualTicker now = new ManualTicker();
    AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
    Switchboard board = Switchboard.builder().name("p").ticker(now::read).manualSchedule()
        .trigger(Trigger.builder("t").signal(Signal.of("v", value::get)).enterAt(ENTER).exitAt(EXIT)
            .minDwell(Duration.ofMillis(dwellMillis)).degrade(SwitchName.SERVE_CACHED).build())
        .build();
    List<Long> flips = new ArrayList<>();
    board.addListener(c -> {
      if (c.before().on() != c.after().on()) {
        flips.add(now.read());
      }
    });
    if (startEngaged) {
      value.set(ENTER);
      board.evaluate();
      now.advance(Duration.ofMillis(dwellMillis));
    }
    for (Reading r : readings) {
      now.advanceNanos(r.afterMillis() * 1_000_000L);
      value.set(r.value());
      board.evaluate();
    }
    board.close();
    return flips;
  }
}
