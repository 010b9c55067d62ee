package dev.ballast.core.internal.config;

import dev.ballast.core.Rate;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.RateLimiterConfig;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * {@code rateLimiters.<name>}: {@code rate} (required, e.g. {@code 100/s burst 20}), {@code maxWait}, and
 * {@code scope}: {@code local} (default, this instance's bucket) or {@code fleet} (one bucket shared by
 * every instance through Redis, built by the {@link FleetRateLimiters} service of
 * {@code ballast-redis-support}, with the keys that service adds).
 */
public final class RateLimitersSection extends EntrySection {

  /** Found once: null when ballast-redis-support is not on the class path. */
  private final FleetRateLimiters fleet = loadFleet();

  @Override
  public String key() {
    return "rateLimiters";
  }

  @Override
  public Set<String> entryKeys() {
    Set<String> keys = new HashSet<>(Set.of("rate", "maxWait", "scope"));
    if (fleet != null) {
      keys.addAll(fleet.entryKeys());
    }
    return keys;
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    Rate rate = entry.rate("rate", null);
    RateLimiterConfig config = RateLimiterConfig.builder().name(name).rate(rate)
        .maxWait(entry.duration("maxWait", Duration.ZERO))
        .build();
    String scope = entry.string("scope", "local");
    switch (scope) {
      case "local" -> {
        ConfigNode stray = firstFleetKey(entry);
        if (stray != null) {
          throw stray.error("applies only to scope: fleet");
        }
        RateLimiter.Builder builder = RateLimiter.builder().config(config).ticker(context.ticker());
        if (context.meterRegistry() != null) {
          builder.meterRegistry(context.meterRegistry());
        }
        return builder.build();
      }
      case "fleet" -> {
        if (fleet == null) {
          throw entry.get("scope").error("needs ballast-redis-support on the class path for scope: fleet");
        }
        return fleet.build(config, entry, context);
      }
      default -> throw entry.get("scope").error("must be one of [local, fleet], was '" + scope + "'");
    }
  }

  private ConfigNode firstFleetKey(ConfigNode entry) {
    if (fleet != null) {
      for (String key : fleet.entryKeys()) {
        if (entry.get(key) != null) {
          return entry.get(key);
        }
      }
    }
    return null;
  }

  private static FleetRateLimiters loadFleet() {
    Iterator<FleetRateLimiters> found =
        ServiceLoader.load(FleetRateLimiters.class, RateLimitersSection.class.getClassLoader()).iterator();
    return found.hasNext() ? found.next() : null;
  }
}
