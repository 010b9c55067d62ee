package dev.ballast.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The demo's knobs, from system properties ({@code -Ddemo.phaseSeconds=30}) or {@code --long}.
 *
 * @param phase length of each recorded phase but recovery
 * @param recovery length of the recovery phase (the switchboard needs its dwell time to step back)
 * @param warmUp length of the unrecorded warm-up
 * @param baseRate baseline requests per second
 * @param spikeFactor how many times the baseline the spike offers
 * @param clientThreads the threads requests run on, like a servlet container's request pool (requests beyond
 *     them queue, and their wait counts)
 * @param deadline a response slower than this counts as an error
 * @param port the operator page's port, 0 for any free one
 * @param report where the HTML report goes
 */
record DemoSettings(Duration phase, Duration recovery, Duration warmUp, int baseRate, int spikeFactor,
    int clientThreads, Duration deadline, int port, Path report) {

  DemoSettings {
    positive(phase, "phase");
    positive(recovery, "recovery");
    positive(warmUp, "warmUp");
    positive(deadline, "deadline");
    if (baseRate < 1 || spikeFactor < 1 || clientThreads < 1) {
      throw new IllegalArgumentException("DemoSettings.baseRate, spikeFactor and clientThreads must be at least 1, were "
          + baseRate + ", " + spikeFactor + ", " + clientThreads);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("DemoSettings.port must be in 0..65535, was " + port);
    }
  }

  private static void positive(Duration value, String field) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("DemoSettings." + field + " must be a positive duration, was " + value);
    }
  }

  /**
   * Reads the settings: {@code demo.phaseSeconds} (default 7, or 30 with {@code --long}),
   * {@code demo.baseRate} (100), {@code demo.spikeFactor} (10), {@code demo.clientThreads} (200, a servlet container's usual request pool),
   * {@code demo.port} (0), {@code demo.report} ({@code target/ballast-demo-report.html}).
   */
  static DemoSettings fromSystemProperties(List<String> args) {
    int phaseSeconds = Integer.getInteger("demo.phaseSeconds", args.contains("--long") ? 30 : 7);
    return new DemoSettings(Duration.ofSeconds(phaseSeconds), Duration.ofSeconds(phaseSeconds + 1),
        Duration.ofSeconds(2), Integer.getInteger("demo.baseRate", 100), Integer.getInteger("demo.spikeFactor", 10),
        Integer.getInteger("demo.clientThreads", 200), Duration.ofSeconds(1), Integer.getInteger("demo.port", 0),
        Path.of(System.getProperty("demo.report", "target/ballast-demo-report.html")));
  }
}
