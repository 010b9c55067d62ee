package dev.ballast.core.internal.config;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import dev.ballast.core.config.Rate;
import java.time.Duration;
import java.util.Set;

/** {@code rateLimiters.<name>}: {@code capacity}, {@code rate} (required), {@code maxWait}. */
public final class RateLimitersSection extends EntrySection {

  @Override
  public String key() {
    return "rateLimiters";
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("capacity", "rate", "maxWait");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    Rate rate = entry.rate("rate", null);
    RateLimiter.Builder builder = RateLimiter.builder().name(name)
        .capacity(entry.longValue("capacity", rate.permits(), 1, Long.MAX_VALUE))
        .refill(rate.permits(), rate.period())
        .maxWait(entry.duration("maxWait", Duration.ZERO))
        .ticker(context.ticker());
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
