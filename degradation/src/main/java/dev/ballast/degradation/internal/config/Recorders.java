package dev.ballast.degradation.internal.config;

import dev.ballast.core.Registry;
import dev.ballast.core.Ticker;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.degradation.LatencyRecorder;
import dev.ballast.degradation.OutcomeRecorder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The recorders the triggers name, one per name and kind: two triggers naming the latency recorder
 * {@code reads} watch the same one (the application feeds it once), so they must agree on its window.
 */
final class Recorders {

  /** The window when a trigger names none: one minute, as in the recorders' Javadoc. */
  static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

  private record Made<R>(R recorder, Duration window, ConfigNode where) {}

  private final Ticker ticker;
  private final Map<String, Made<LatencyRecorder>> latency = new LinkedHashMap<>();
  private final Map<String, Made<OutcomeRecorder>> outcomes = new LinkedHashMap<>();

  Recorders(Ticker ticker) {
    this.ticker = ticker;
  }

  /** The latency recorder named by {@code signal.recorder}, created over {@code signal.window} on first use. */
  LatencyRecorder latency(ConfigNode signal) {
    return obtain(latency, signal, window -> LatencyRecorder.of(window, ticker));
  }

  /** The outcome recorder named by {@code signal.recorder}, created over {@code signal.window} on first use. */
  OutcomeRecorder outcomes(ConfigNode signal) {
    return obtain(outcomes, signal, window -> OutcomeRecorder.of(window, ticker));
  }

  private static <R> R obtain(Map<String, Made<R>> made, ConfigNode signal, Function<Duration, R> create) {
    String name = signal.string("recorder", null).trim();
    if (name.isEmpty()) {
      throw signal.get("recorder").error("must name a recorder");
    }
    Duration window = signal.duration("window", DEFAULT_WINDOW);
    if (window.toNanos() < 10) {
      throw signal.get("window").error("must be at least 10ns (the window has ten buckets), was " + window);
    }
    Made<R> existing = made.get(name);
    if (existing == null) {
      made.put(name, new Made<>(create.apply(window), window, signal));
      return made.get(name).recorder();
    }
    if (!existing.window().equals(window)) {
      ConfigNode at = signal.get("window") != null ? signal.get("window") : signal;
      throw at.error("recorder '" + name + "' already has a window of " + existing.window() + " (" + existing.where()
          + "); triggers sharing a recorder must agree on its window");
    }
    return existing.recorder();
  }

  /** Registers every recorder under its name, for the application to feed. */
  void register(Registry.Builder registry) {
    latency.forEach((name, made) -> registry.add(name, made.recorder()));
    outcomes.forEach((name, made) -> registry.add(name, made.recorder()));
  }
}
