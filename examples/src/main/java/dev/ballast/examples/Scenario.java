package dev.ballast.examples;

import java.time.Duration;
import java.util.List;

/**
 * What the demo drives, the same for the run without and the run with Ballast: an unrecorded warm-up
 * (JIT, connections; the caches start filling as a live service's would have), then the recorded phases.
 *
 * @param warmUp run first, not recorded
 * @param phases the recorded phases, in order
 */
record Scenario(Phase warmUp, List<Phase> phases) {

  Scenario {
    phases = List.copyOf(phases);
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("Scenario.phases must not be empty");
    }
  }

  /**
   * The scenario: baseline, a spike of {@code spikeFactor} times the baseline, a database outage
   * at the baseline rate, recovery.
   */
  static Scenario standard(DemoSettings settings) {
    int base = settings.baseRate();
    return new Scenario(
        new Phase("warm-up", settings.warmUp(), base, false),
        List.of(
            new Phase("baseline", settings.phase(), base, false),
            new Phase("spike " + settings.spikeFactor() + "x", settings.phase(), base * settings.spikeFactor(), false),
            new Phase("database outage", settings.phase(), base, true),
            new Phase("recovery", settings.recovery(), base, false)));
  }

  /** The recorded phases' total length. */
  Duration recordedLength() {
    return phases.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
  }
}
