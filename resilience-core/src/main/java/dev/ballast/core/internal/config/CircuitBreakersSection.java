package dev.ballast.core.internal.config;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.CircuitBreakerBuilder;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import java.util.Set;

/**
 * {@code circuitBreakers.<name>}: {@code countWindow} or {@code timeWindow}, {@code failureRateThreshold},
 * {@code slowCallRateThreshold}, {@code slowCallDuration}, {@code minimumCalls}, {@code openDuration},
 * {@code halfOpenProbes}, {@code maxHalfOpenDuration} (a duration, or {@code none} to wait forever); unset keys
 * keep the breaker's defaults.
 */
public final class CircuitBreakersSection extends EntrySection {

  @Override
  public String key() {
    return "circuitBreakers";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("countWindow", "timeWindow", "failureRateThreshold", "slowCallRateThreshold",
        "slowCallDuration", "minimumCalls", "openDuration", "halfOpenProbes",
        "maxHalfOpenDuration");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    CircuitBreakerBuilder builder = CircuitBreaker.builder().name(name).ticker(context.ticker());
    if (entry.get("countWindow") != null && entry.get("timeWindow") != null) {
      throw entry.get("timeWindow").error("set countWindow or timeWindow, not both");
    }
    if (entry.get("countWindow") != null) {
      builder.countWindow(entry.intValue("countWindow", null, 1, 1_000_000));
    }
    if (entry.get("timeWindow") != null) {
      builder.timeWindow(entry.duration("timeWindow", null));
    }
    if (entry.get("failureRateThreshold") != null) {
      builder.failureRateThreshold(entry.ratio("failureRateThreshold", null));
    }
    if (entry.get("slowCallRateThreshold") != null) {
      builder.slowCallRateThreshold(entry.ratio("slowCallRateThreshold", null));
    }
    if (entry.get("slowCallDuration") != null) {
      builder.slowCallDuration(entry.duration("slowCallDuration", null));
    }
    if (entry.get("minimumCalls") != null) {
      builder.minimumCalls(entry.intValue("minimumCalls", null, 1, 1_000_000));
    }
    if (entry.get("openDuration") != null) {
      builder.openDuration(entry.duration("openDuration", null));
    }
    if (entry.get("halfOpenProbes") != null) {
      builder.halfOpenProbes(entry.intValue("halfOpenProbes", null, 1, 10_000));
    }
    ConfigNode maxHalfOpen = entry.get("maxHalfOpenDuration");
    if (maxHalfOpen != null && maxHalfOpen.text().strip().equals("none")) {
      builder.withoutMaxHalfOpenDuration();
    } else if (maxHalfOpen != null) {
      java.time.Duration duration = entry.duration("maxHalfOpenDuration", null);
      if (duration.isZero()) {
        throw maxHalfOpen.error("must be positive; write 'none' to wait for the probes forever");
      }
      builder.maxHalfOpenDuration(duration);
    }
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
