package dev.ballast.core.internal.config;

import dev.ballast.core.Timeout;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import java.util.Set;

/** {@code timeouts.<name>}: {@code limit} (required), {@code interrupt} (default true). */
public final class TimeoutsSection extends EntrySection {

  @Override
  public String key() {
    return "timeouts";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("limit", "interrupt");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    Timeout.Builder builder = Timeout.builder().name(name)
        .limit(entry.duration("limit", null))
        .interrupt(entry.bool("interrupt", true))
        .ticker(context.ticker());
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
