package dev.ballast.core.internal.config;

import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Retry;
import dev.ballast.core.RetryBudget;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import java.time.Duration;
import java.util.Set;

/**
 * {@code retries.<name>}: {@code maxAttempts}, {@code maxDuration}, {@code backoff} ({@code initial},
 * {@code max}, {@code multiplier}, {@code jitter}), {@code budget} ({@code ratio},
 * {@code minRetriesPerSecond}, {@code window}).
 */
public final class RetriesSection extends EntrySection {

  /** The seeds' backoff: 1 s doubling to 16 s, full jitter. */
  private static final Backoff SEED_BACKOFF =
      new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(16), Jitter.FULL, null);
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
    if (entry.get("backoff") != null) {
      builder.backoff(entry.backoff("backoff", SEED_BACKOFF));
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
