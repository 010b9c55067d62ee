package dev.ballast.core.internal.config;

import dev.ballast.core.Bulkhead;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigNode;
import dev.ballast.core.config.EntrySection;
import java.time.Duration;
import java.util.Set;

/** {@code bulkheads.<name>}: {@code maxConcurrentCalls} (required), {@code maxWait} (default 0). */
public final class BulkheadsSection extends EntrySection {

  @Override
  public String key() {
    return "bulkheads";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("maxConcurrentCalls", "maxWait");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    Bulkhead.Builder builder = Bulkhead.builder().name(name)
        .maxConcurrentCalls(entry.intValue("maxConcurrentCalls", null, 1, Integer.MAX_VALUE))
        .maxWait(entry.duration("maxWait", Duration.ZERO))
        .ticker(context.ticker());
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
