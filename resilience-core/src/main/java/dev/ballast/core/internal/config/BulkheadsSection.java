package dev.ballast.core.internal.config;

import dev.ballast.core.Bulkhead;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import java.time.Duration;
import java.util.Set;

/**
 * {@code bulkheads.<name>}: {@code maxConcurrentCalls} (required), {@code maxWait} (default 0),
 * {@code maxWaitingCalls} (default 4 × {@code maxConcurrentCalls}).
 */
public final class BulkheadsSection extends EntrySection {

  @Override
  public String key() {
    return "bulkheads";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("maxConcurrentCalls", "maxWait", "maxWaitingCalls");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    Bulkhead.Builder builder = Bulkhead.builder().name(name)
        .maxConcurrentCalls(entry.intValue("maxConcurrentCalls", null, 1, Integer.MAX_VALUE))
        .maxWait(entry.duration("maxWait", Duration.ZERO))
        .ticker(context.ticker());
    if (entry.get("maxWaitingCalls") != null) {
      builder.maxWaitingCalls(entry.intValue("maxWaitingCalls", null, 0, Integer.MAX_VALUE));
    }
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
