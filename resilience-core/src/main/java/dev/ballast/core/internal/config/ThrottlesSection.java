package dev.ballast.core.internal.config;

import dev.ballast.core.AdaptiveThrottle;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigNode;
import dev.ballast.core.config.EntrySection;
import java.time.Duration;
import java.util.Set;

/** {@code throttles.<name>}: {@code k} (default 2), {@code window} (default 2m). */
public final class ThrottlesSection extends EntrySection {

  @Override
  public String key() {
    return "throttles";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("k", "window");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    AdaptiveThrottle.Builder builder = AdaptiveThrottle.builder().name(name)
        .k(entry.number("k", 2.0, 1.0))
        .window(entry.duration("window", Duration.ofMinutes(2)))
        .ticker(context.ticker());
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
