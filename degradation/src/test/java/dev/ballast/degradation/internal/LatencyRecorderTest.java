package dev.ballast.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ballast.degradation.LatencyRecorder;
import dev.ballast.degradation.OutcomeRecorder;
import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  private static final long MS = 1_000_000L;
  private final ManualTicker now = new ManualTicker(5_000 * MS);

  @Test
  void percentilesCoverTheWindowAndForgetWhatLeftIt() {
    LatencyRecorder recorder = LatencyRecorder.of(Duration.ofSeconds(10), now::read);
    assertThat(recorder.percentileMillis(95)).isNaN();
    for (int i = 1; i <= 100; i++) {
      recorder.record(i * MS);
    }
    assertThat(recorder.percentileMillis(50)).isCloseTo(50, within(1.0));
    assertThat(recorder.percentileMillis(95)).isCloseTo(95, within(1.0));
    assertThat(recorder.count()).isEqualTo(100);

    now.advanceNanos(5_000 * MS);
    recorder.record(1_000 * MS);
    assertThat(recorder.count()).isEqualTo(101);
    assertThat(recorder.percentileMillis(100)).isCloseTo(1_000, within(10.0));

    now.advanceNanos(6_000 * MS); // the first hundred are now older than 10 s
    assertThat(recorder.count()).isEqualTo(1);
    now.advanceNanos(10_000 * MS);
    assertThat(recorder.percentileMillis(99)).isNaN();
  }

  @Test
  void negativeLatenciesCountAsZero() {
    LatencyRecorder recorder = LatencyRecorder.of(Duration.ofSeconds(1), now::read);
    recorder.record(-5);
    assertThat(recorder.percentileMillis(100)).isEqualTo(0.0);
  }

  @Test
  void errorRatioNeedsItsMinimumCallsAndForgetsOldOutcomes() {
    OutcomeRecorder outcomes = OutcomeRecorder.of(Duration.ofSeconds(10), now::read);
    outcomes.recordFailure();
    outcomes.recordSuccess();
    assertThat(outcomes.errorRatio(3)).isNaN();
    outcomes.recordSuccess();
    outcomes.recordSuccess();
    assertThat(outcomes.errorRatio(3)).isEqualTo(0.25);
    now.advanceNanos(11_000 * MS);
    assertThat(outcomes.errorRatio(1)).isNaN();
  }
}
