package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.testsupport.ManualTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TriggerTest {

  private static final long MS = 1_000_000L;
  private final ManualTicker now = new ManualTicker(1_000 * MS);

  private Switchboard board(Trigger trigger) {
    return Switchboard.builder().name("t").ticker(now::read).manualSchedule().trigger(trigger).build();
  }

  private void advance(Duration d) {
    now.advance(d);
  }

  @Test
  void aSyntheticLatencyStreamEntersAtTheEnterThresholdAndExitsAtTheExitThresholdAfterTheDwellTime() {
    LatencyRecorder latency = LatencyRecorder.of(Duration.ofSeconds(10), now::read);
    Trigger trigger = Trigger.onLatency("slow", latency).degrade(SwitchName.SERVE_CACHED)
        .minDwell(Duration.ofSeconds(30)).build();
    assertThat(trigger.enterThreshold()).isEqualTo(300.0);
    assertThat(trigger.exitThreshold()).isEqualTo(240.0);
    Switchboard board = board(trigger);

    // 20 s of 100 ms calls: fine.
    for (int s = 0; s < 20; s++) {
      feed(latency, 100, 100);
      advance(Duration.ofSeconds(1));
      board.evaluate();
    }
    assertThat(board.isServingCached()).isFalse();

    // Latency climbs to 280 ms: between the thresholds, nothing happens.
    for (int s = 0; s < 15; s++) {
      feed(latency, 100, 280);
      advance(Duration.ofSeconds(1));
      board.evaluate();
    }
    assertThat(board.isServingCached()).isFalse();

    // Then to 350 ms: the p95 crosses 300 ms once enough of the window is slow.
    int seconds = 0;
    while (!board.isServingCached()) {
      feed(latency, 100, 350);
      advance(Duration.ofSeconds(1));
      board.evaluate();
      assertThat(++seconds).isLessThan(10);
    }
    Switch s = board.serveCached();
    assertThat(s.origin()).isEqualTo(Switch.Origin.AUTOMATIC);
    assertThat(s.who()).startsWith("trigger:slow@");
    assertThat(s.why()).startsWith("p95 latency ms 35").contains(">= enter 300.000");

    // Recovery to 100 ms right away: the window empties of slow calls within 10 s, but the switch stays
    // until 30 s after it flipped.
    long flippedAt = now.read();
    while (board.isServingCached()) {
      feed(latency, 100, 100);
      advance(Duration.ofSeconds(1));
      board.evaluate();
      assertThat(now.read() - flippedAt).isLessThanOrEqualTo(31_000 * MS);
    }
    assertThat(now.read() - flippedAt).isGreaterThanOrEqualTo(30_000 * MS);
    assertThat(board.serveCached().origin()).isEqualTo(Switch.Origin.DEFAULT);
    board.close();
  }

  private static void feed(LatencyRecorder latency, int count, long millis) {
    for (int i = 0; i < count; i++) {
      latency.record(millis * MS);
    }
  }

  @Test
  void aFewSlowCallsInAQuietWindowDoNotDecideTheLatencyTrigger() {
    LatencyRecorder latency = LatencyRecorder.of(Duration.ofSeconds(10), now::read);
    Switchboard board = board(Trigger.onLatency("slow", latency).degrade(SwitchName.SERVE_CACHED)
        .minDwell(Duration.ZERO).build());

    feed(latency, Trigger.DEFAULT_LATENCY_MINIMUM_CALLS - 1, 2_000); // a cold start: every call slow
    advance(Duration.ofSeconds(1));
    board.evaluate();
    assertThat(board.isServingCached()).as("19 calls are too few to judge").isFalse();

    feed(latency, 1, 2_000);
    advance(Duration.ofSeconds(1));
    board.evaluate();
    assertThat(board.isServingCached()).as("the 20th call makes the p95 count").isTrue();
  }

  @Test
  void manualSettingsWinOverAnEngagedTriggerUntilReleased() {
    AtomicReference<Double> value = new AtomicReference<>(0.0);
    Trigger trigger = Trigger.builder("queue-age").signal(Signal.of("oldest job age s", value::get))
        .enterAt(60).exitAt(30).minDwell(Duration.ZERO).degrade(SwitchName.READ_ONLY).build();
    Switchboard board = board(trigger);

    board.restore(SwitchName.READ_ONLY, new Reason("alice", "writes must go on"));
    value.set(120.0);
    board.evaluate();
    assertThat(board.isReadOnly()).isFalse();
    assertThat(board.readOnly().who()).isEqualTo("alice");

    board.release(SwitchName.READ_ONLY, "alice");
    assertThat(board.isReadOnly()).isTrue();
    assertThat(board.readOnly().origin()).isEqualTo(Switch.Origin.AUTOMATIC);

    board.degrade(SwitchName.READ_ONLY, new Reason("alice", "keep it"));
    value.set(0.0);
    board.evaluate();
    assertThat(board.isReadOnly()).isTrue();
    assertThat(board.readOnly().origin()).isEqualTo(Switch.Origin.MANUAL);
    board.close();
  }

  @Test
  void aTriggerCanEnterAMode() {
    AtomicReference<Double> value = new AtomicReference<>(0.0);
    Switchboard board = board(Trigger.builder("meltdown").signal(Signal.of("load", value::get))
        .enterAt(1).exitAt(0).minDwell(Duration.ZERO).enterMode(Mode.survival()).build());
    value.set(1.0);
    board.evaluate();
    assertThat(board.isReadOnly()).isTrue();
    assertThat(board.isServingCached()).isTrue();
    assertThat(board.isFeatureEnabled("anything")).isFalse();
    assertThat(board.activeModes()).isEmpty(); // only modes entered by hand are listed
    value.set(0.0);
    board.evaluate();
    assertThat(board.isReadOnly()).isFalse();
    board.close();
  }

  @Test
  void errorRatioTriggerUsesTheSeedThresholdAndWaitsForEnoughCalls() {
    OutcomeRecorder outcomes = OutcomeRecorder.of(Duration.ofMinutes(1), now::read);
    Trigger trigger = Trigger.onErrorRatio("errors", outcomes).degrade(SwitchName.feature("recs"))
        .minDwell(Duration.ZERO).build();
    assertThat(trigger.enterThreshold()).isEqualTo(0.005);
    Switchboard board = board(trigger);

    outcomes.recordFailure(); // 1 of 1 failed, but too few calls to judge
    board.evaluate();
    assertThat(board.isFeatureEnabled("recs")).isTrue();

    for (int i = 0; i < 198; i++) {
      outcomes.recordSuccess();
    }
    outcomes.recordFailure(); // 2 of 200 = 1 %
    board.evaluate();
    assertThat(board.isFeatureEnabled("recs")).isFalse();

    advance(Duration.ofMinutes(2)); // the window forgets; then all good
    for (int i = 0; i < 200; i++) {
      outcomes.recordSuccess();
    }
    board.evaluate();
    assertThat(board.isFeatureEnabled("recs")).isTrue();
    board.close();
  }

  @Test
  void breakerOpenTriggerFollowsTheBreaker() {
    CircuitBreaker breaker = CircuitBreaker.builder().name("payments").ticker(now::read).build();
    Switchboard board = board(Trigger.onBreakerOpen("payments-down", breaker).degrade(SwitchName.READ_ONLY)
        .minDwell(Duration.ZERO).build());
    board.evaluate();
    assertThat(board.isReadOnly()).isFalse();
    breaker.forceOpen();
    board.evaluate();
    assertThat(board.isReadOnly()).isTrue();
    breaker.reset();
    board.evaluate();
    assertThat(board.isReadOnly()).isFalse();
    board.close();
  }

  @Test
  void micrometerGaugeSignalReadsTheGaugeByNameAndTagsAndIsNaNWhileAbsent() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Signal signal = Signal.gauge(registry, "queue.depth", "queue", "emails");
    assertThat(signal.read()).isNaN();
    AtomicLong depth = new AtomicLong(42);
    registry.gauge("queue.depth", io.micrometer.core.instrument.Tags.of("queue", "emails"), depth);
    assertThat(signal.read()).isEqualTo(42.0);
    assertThatThrownBy(() -> Signal.gauge(registry, "x", "odd")).hasMessageContaining("key, value pairs");
  }

  @Test
  void aSignalWithoutDataOrThatThrowsChangesNothing() {
    AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
    Switchboard board = board(Trigger.builder("t").signal(Signal.of("v", () -> {
      if (value.get() < 0) {
        throw new IllegalStateException("broken");
      }
      return value.get();
    })).enterAt(1).exitAt(0).minDwell(Duration.ZERO).degrade(SwitchName.SERVE_CACHED).build());
    board.evaluate();
    assertThat(board.isServingCached()).isFalse();
    value.set(5.0);
    board.evaluate();
    assertThat(board.isServingCached()).isTrue();
    value.set(-1.0);
    board.evaluate();
    assertThat(board.isServingCached()).isTrue();
    board.close();
  }

  @Test
  void theScheduleEvaluatesTriggersByItself() {
    AtomicReference<Double> value = new AtomicReference<>(0.0);
    Switchboard board = Switchboard.builder().name("scheduled").evaluateEvery(Duration.ofMillis(20))
        .trigger(Trigger.builder("t").signal(Signal.of("v", value::get)).enterAt(1).exitAt(0)
            .minDwell(Duration.ZERO).degrade(SwitchName.SERVE_CACHED).build())
        .build();
    value.set(2.0);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(board::isServingCached);
    value.set(0.0);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !board.isServingCached());
    board.close();
  }

  @Test
  void toBuilderCopiesEverythingAndAllowsOneOverride() {
    Trigger original = Trigger.builder("a").signal(Signal.of("v", () -> 0)).enterAt(5).exitAt(1)
        .minDwell(Duration.ofSeconds(7)).degrade(SwitchName.READ_ONLY).scope(Trigger.Scope.FLEET).build();
    Trigger copy = original.toBuilder("b").enterAt(9).build();
    assertThat(copy.name()).isEqualTo("b");
    assertThat(copy.enterThreshold()).isEqualTo(9);
    assertThat(copy.exitThreshold()).isEqualTo(1);
    assertThat(copy.minDwell()).isEqualTo(Duration.ofSeconds(7));
    assertThat(copy.settings()).isEqualTo(original.settings());
    assertThat(copy.scope()).isEqualTo(Trigger.Scope.FLEET);
    assertThatThrownBy(() -> original.toBuilder("c").enterAt(1).enterAt(2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void thresholdsOutOfRangeGetClearErrors() {
    Signal s = Signal.of("v", () -> 0);
    assertThatThrownBy(() -> Trigger.builder("t").signal(s).enterAt(1).exitAt(2).degrade(SwitchName.READ_ONLY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Trigger.exitThreshold must be below Trigger.enterThreshold (trigger 't': enter 1.0, exit 2.0)");
    assertThatThrownBy(() -> Trigger.builder("t").signal(s).enterAt(Double.NaN).exitAt(0)
        .degrade(SwitchName.READ_ONLY).build())
        .hasMessage("Trigger.enterThreshold must be a finite number, was NaN");
    assertThatThrownBy(() -> Trigger.builder("t").signal(s).enterAt(1).exitAt(0).build())
        .hasMessageContaining("Trigger.settings must name at least one switch");
    assertThatThrownBy(() -> Trigger.builder("t").minDwell(Duration.ofSeconds(-1)))
        .hasMessage("Trigger.minDwell must not be negative, was PT-1S");
    assertThatThrownBy(() -> Trigger.builder("t").enterAt(1).enterAt(2))
        .isInstanceOf(IllegalStateException.class).hasMessage("Trigger.enterThreshold was already set on this builder");
    assertThatThrownBy(() -> Signal.latencyMillis(LatencyRecorder.of(Duration.ofSeconds(1), now::read), 0, 1))
        .hasMessage("Signal.percentile must be in (0, 100], was 0.0");
    assertThatThrownBy(() -> Signal.errorRatio(OutcomeRecorder.of(Duration.ofSeconds(1), now::read), 0))
        .hasMessage("Signal.minimumCalls must be at least 1, was 0");
    assertThatThrownBy(() -> Switchboard.builder().name("b").features("a")
        .trigger(Trigger.builder("t").signal(s).enterAt(1).exitAt(0).degrade(SwitchName.feature("b")).build())
        .build())
        .hasMessageContaining("unknown feature 'b'");
  }
}
