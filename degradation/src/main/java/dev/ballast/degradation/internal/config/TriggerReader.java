package dev.ballast.degradation.internal.config;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.degradation.Mode;
import dev.ballast.degradation.Signal;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Trigger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one {@code switchboard.triggers.<name>} entry: exactly one signal ({@code latency},
 * {@code errorRatio}, {@code breakerOpen} or {@code gauge}), its thresholds in the signal's own unit,
 * the dwell time, what to degrade ({@code degrade} or {@code enterMode}) and the scope.
 */
final class TriggerReader {

  static final Set<String> KEYS = Set.of("latency", "errorRatio", "breakerOpen", "gauge", "enterAt", "exitAt",
      "minDwell", "degrade", "enterMode", "scope");
  private static final List<String> SIGNALS = List.of("latency", "errorRatio", "breakerOpen", "gauge");
  private static final Set<String> LATENCY_KEYS = Set.of("recorder", "percentile", "window", "minimumCalls");
  private static final Set<String> ERROR_RATIO_KEYS = Set.of("recorder", "window", "minimumCalls");
  private static final Set<String> GAUGE_KEYS = Set.of("meter", "tags");

  /** Trigger.onErrorRatio's minimum: no judgement on fewer calls. */
  private static final int DEFAULT_MINIMUM_CALLS = 100;
  private static final Duration DEFAULT_DWELL = Duration.ofSeconds(30);

  private final ConfigContext context;
  private final Registry.Builder registry;
  private final Recorders recorders;
  private final SwitchIds switches;
  private final Map<String, Mode> modes;

  TriggerReader(ConfigContext context, Registry.Builder registry, Recorders recorders, SwitchIds switches,
      Map<String, Mode> modes) {
    this.context = context;
    this.registry = registry;
    this.recorders = recorders;
    this.switches = switches;
    this.modes = modes;
  }

  Trigger read(String name, ConfigNode entry) {
    entry.allowOnly(KEYS);
    Trigger.Builder builder = Trigger.builder(name);
    String signal = signalKey(entry);
    switch (signal) {
      case "latency" -> latency(entry, builder);
      case "errorRatio" -> errorRatio(entry, builder);
      case "breakerOpen" -> breakerOpen(entry, builder);
      default -> gauge(entry, builder);
    }
    builder.minDwell(entry.duration("minDwell", DEFAULT_DWELL));
    target(entry, builder);
    builder.scope(entry.choice("scope", Trigger.Scope.class, Trigger.Scope.LOCAL));
    try {
      return builder.build();
    } catch (IllegalArgumentException e) { // exit not below enter: a rule across two keys
      ConfigNode at = entry.get("exitAt") != null ? entry.get("exitAt") : entry;
      throw at.error(e.getMessage());
    }
  }

  private static String signalKey(ConfigNode entry) {
    List<String> present = new ArrayList<>();
    for (String s : SIGNALS) {
      if (entry.get(s) != null) {
        present.add(s);
      }
    }
    if (present.isEmpty()) {
      throw entry.error("needs a signal: one of " + SIGNALS);
    }
    if (present.size() > 1) {
      throw entry.get(present.get(1)).error("set one signal per trigger, found " + present);
    }
    return present.get(0);
  }

  /** {@code latency: {recorder, percentile = 95, window = 1m, minimumCalls = 20}}; thresholds are durations. */
  private void latency(ConfigNode entry, Trigger.Builder builder) {
    ConfigNode node = entry.get("latency").allowOnly(LATENCY_KEYS);
    double percentile = node.number("percentile", 95.0, 0.0);
    if (percentile <= 0.0 || percentile > 100.0) {
      throw node.get("percentile").error("must be above 0 and at most 100, was " + node.get("percentile").text());
    }
    int minimumCalls = node.intValue("minimumCalls", Trigger.DEFAULT_LATENCY_MINIMUM_CALLS, 1, Integer.MAX_VALUE);
    builder.signal(Signal.latencyMillis(recorders.latency(node), percentile, minimumCalls));
    double enter = millis(entry.duration("enterAt", Duration.ofMillis((long) Trigger.DEFAULT_P95_MILLIS)));
    // Trigger.onLatency's rule: leave at 80 % of the entry threshold unless told otherwise.
    double exit = entry.get("exitAt") != null ? millis(entry.duration("exitAt", null)) : enter * 0.8;
    builder.enterAt(enter).exitAt(exit);
  }

  /** {@code errorRatio: {recorder, window = 1m, minimumCalls = 100}}; thresholds are ratios. */
  private void errorRatio(ConfigNode entry, Trigger.Builder builder) {
    ConfigNode node = entry.get("errorRatio").allowOnly(ERROR_RATIO_KEYS);
    int minimumCalls = node.intValue("minimumCalls", DEFAULT_MINIMUM_CALLS, 1, Integer.MAX_VALUE);
    builder.signal(Signal.errorRatio(recorders.outcomes(node), minimumCalls));
    double enter = entry.ratio("enterAt", Trigger.DEFAULT_ERROR_RATIO);
    // Trigger.onErrorRatio's rule: leave at half the entry threshold unless told otherwise.
    double exit = entry.get("exitAt") != null ? entry.ratio("exitAt", null) : enter / 2;
    builder.enterAt(enter).exitAt(exit);
  }

  /** {@code breakerOpen: <circuitBreakers entry>}: engaged while that breaker is not closed. */
  private void breakerOpen(ConfigNode entry, Trigger.Builder builder) {
    for (String key : List.of("enterAt", "exitAt")) {
      if (entry.get(key) != null) {
        throw entry.get(key).error("does not apply to breakerOpen, which engages while the breaker is open or "
            + "half-open and disengages when it closes");
      }
    }
    ConfigNode node = entry.get("breakerOpen");
    CircuitBreaker breaker;
    try {
      breaker = registry.get(node.text().trim(), CircuitBreaker.class);
    } catch (IllegalArgumentException unknown) {
      throw node.error(unknown.getMessage() + " (breakers come from the circuitBreakers section)");
    }
    builder.signal(Signal.breakerOpen(breaker)).enterAt(1.0).exitAt(0.0);
  }

  /** {@code gauge: {meter, tags}}: any Micrometer gauge of the context's registry; thresholds are numbers. */
  private void gauge(ConfigNode entry, Trigger.Builder builder) {
    ConfigNode node = entry.get("gauge").allowOnly(GAUGE_KEYS);
    if (context.meterRegistry() == null) {
      throw node.error("reads a gauge from the ConfigContext's meterRegistry, and the context has none");
    }
    String meter = node.string("meter", null).trim();
    List<String> tags = new ArrayList<>();
    ConfigNode tagNode = node.get("tags");
    if (tagNode != null) {
      tagNode.entries().forEach((key, value) -> {
        tags.add(key);
        tags.add(value.text());
      });
    }
    builder.signal(Signal.gauge(context.meterRegistry(), meter, tags.toArray(String[]::new)));
    builder.enterAt(entry.number("enterAt", null, -Double.MAX_VALUE))
        .exitAt(entry.number("exitAt", null, -Double.MAX_VALUE));
  }

  /** {@code degrade: <switch id or list>} or {@code enterMode: <mode>}, exactly one. */
  private void target(ConfigNode entry, Trigger.Builder builder) {
    ConfigNode degrade = entry.get("degrade");
    ConfigNode enterMode = entry.get("enterMode");
    if (degrade != null && enterMode != null) {
      ConfigNode later = degrade.line() > enterMode.line() ? degrade : enterMode;
      throw later.error("set degrade or enterMode, not both");
    }
    if (degrade == null && enterMode == null) {
      throw entry.error("needs degrade (a switch id or a list of them) or enterMode (a mode's name)");
    }
    if (enterMode != null) {
      String modeName = enterMode.text().trim();
      Mode mode = modes.get(modeName);
      if (mode == null) {
        throw enterMode.error("no mode named '" + modeName + "'; modes: " + new TreeSet<>(modes.keySet()));
      }
      builder.enterMode(mode);
      return;
    }
    List<SwitchName> names = switches.readAll(degrade);
    if (names.size() == 1) {
      builder.degrade(names.get(0));
    } else {
      builder.enterMode(Mode.degrading(entry.key(), names.toArray(SwitchName[]::new)));
    }
  }

  private static double millis(Duration duration) {
    return duration.toNanos() / 1_000_000.0;
  }
}
