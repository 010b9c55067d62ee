package dev.ballast.core.internal.config;

import dev.ballast.core.ConcurrencyLimitAlgorithm;
import dev.ballast.core.ConcurrencyLimiter;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigNode;
import dev.ballast.core.config.EntrySection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code concurrencyLimits.<name>}: {@code algorithm} ({@code gradient} or {@code aimd}), the limits,
 * {@code partitions} (name: share), and the chosen algorithm's own keys; a key of the other algorithm is
 * refused at its line.
 */
public final class ConcurrencyLimitsSection extends EntrySection {

  private enum Algorithm { GRADIENT, AIMD }

  private static final Set<String> GRADIENT_KEYS =
      Set.of("rttTolerance", "sampleWindow", "minRttInterval", "minRttSamples", "probeLimit");
  private static final Set<String> AIMD_KEYS = Set.of("latencyThreshold", "backoffRatio");

  @Override
  public String key() {
    return "concurrencyLimits";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("algorithm", "initialLimit", "minLimit", "maxLimit", "partitions", "rttTolerance", "sampleWindow",
        "minRttInterval", "minRttSamples", "probeLimit", "latencyThreshold", "backoffRatio");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    Algorithm algorithm = entry.choice("algorithm", Algorithm.class, Algorithm.GRADIENT);
    Set<String> foreign = algorithm == Algorithm.GRADIENT ? AIMD_KEYS : GRADIENT_KEYS;
    for (ConfigNode child : entry.entries().values()) {
      if (foreign.contains(child.key())) {
        throw child.error("applies to algorithm " + (algorithm == Algorithm.GRADIENT ? "aimd" : "gradient")
            + " only; this entry uses " + algorithm.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    ConcurrencyLimitAlgorithm.Gradient defaults = (ConcurrencyLimitAlgorithm.Gradient) ConcurrencyLimitAlgorithm.gradient();
    ConcurrencyLimitAlgorithm chosen = algorithm == Algorithm.GRADIENT
        ? new ConcurrencyLimitAlgorithm.Gradient(
            entry.ratio("rttTolerance", defaults.rttTolerance()),
            entry.duration("sampleWindow", defaults.sampleWindow()),
            entry.duration("minRttInterval", defaults.minRttInterval()),
            entry.intValue("minRttSamples", defaults.minRttSamples(), 1, 256),
            entry.intValue("probeLimit", defaults.probeLimit(), 1, Integer.MAX_VALUE))
        : new ConcurrencyLimitAlgorithm.Aimd(entry.duration("latencyThreshold", null),
            entry.number("backoffRatio", 0.9, 0.5));
    ConcurrencyLimiter.Builder builder = ConcurrencyLimiter.builder().name(name).algorithm(chosen)
        .limits(entry.intValue("initialLimit", 20, 1, Integer.MAX_VALUE),
            entry.intValue("minLimit", 1, 1, Integer.MAX_VALUE),
            entry.intValue("maxLimit", 1000, 1, Integer.MAX_VALUE))
        .ticker(context.ticker());
    ConfigNode partitions = entry.get("partitions");
    if (partitions != null) {
      for (Map.Entry<String, ConfigNode> share : partitions.entries().entrySet()) {
        builder.partition(share.getKey(), partitions.ratio(share.getKey(), null));
      }
    }
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
