package dev.ballast.core.internal.config;

import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Retry;
import dev.ballast.core.RetryBudget;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigNode;
import dev.ballast.core.config.EntrySection;
import java.time.Duration;
import java.util.Set;

/**
 * {@code retries.<name>}: {@code maxAttempts}, {@code maxDuration}, {@code backoff} ({@code initial},
 * {@code max}, {@code multiplier}, {@code jitter}), {@code budget} ({@code ratio},
 * {@code minRetriesPerSecond}, {@code window}).
 */
public final class RetriesSection extends EntrySection {

  private static final Set<String> BACKOFF_KEYS = Set.of("initial", "max", "multiplier", "jitter");
  private static final Set<String> BUDGET_KEYS = Set.of("ratio", "minRetriesPerSecond", "window");

  @Override
  public String key() {
    return "retries";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("maxAttempts", "maxDuration", "backoff", "budget");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    Retry.Builder builder = Retry.builder().name(name)
        .maxAttempts(entry.intValue("maxAttempts", 3, 1, 100))
        .ticker(context.ticker());
    if (entry.get("maxDuration") != null) {
      builder.maxDuration(entry.duration("maxDuration", null));
    }
    ConfigNode backoff = entry.get("backoff");
    if (backoff != null) {
      backoff.allowOnly(BACKOFF_KEYS);
      Duration initial = backoff.duration("initial", Duration.ofSeconds(1));
      double multiplier = backoff.number("multiplier", 2.0, 1.0);
      Duration max = backoff.duration("max", Duration.ofSeconds(16));
      Jitter jitter = backoff.choice("jitter", Jitter.class, Jitter.FULL);
      try {
        builder.backoff(new Backoff(initial, multiplier, max, jitter, null));
      } catch (IllegalArgumentException e) {
        throw backoff.error(e.getMessage());
      }
    }
    ConfigNode budget = entry.get("budget");
    if (budget != null) {
      budget.allowOnly(BUDGET_KEYS);
      builder.budget(RetryBudget.of(
          budget.ratio("ratio", 0.1),
          budget.intValue("minRetriesPerSecond", 10, 0, Integer.MAX_VALUE),
          budget.duration("window", Duration.ofSeconds(10))).withTicker(context.ticker()));
    }
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
