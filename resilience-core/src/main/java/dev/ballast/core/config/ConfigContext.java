package dev.ballast.core.config;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the components built from configuration need from the application: where to record metrics,
 * the time source, and named resources such as a Redis client ({@code resource("redis", RedisClient.class)}).
 * <pre>{@code
 * ConfigContext context = ConfigContext.builder().meterRegistry(registry).resource("redis", redisClient).build();
 * }</pre>
 *
 * @param meterRegistry where components record meters, or null for none
 * @param ticker the time source
 * @param resources named resources for sections that need them
 */
public record ConfigContext(@Nullable MeterRegistry meterRegistry, Ticker ticker, Map<String, Object> resources) {

  /** Validates and copies. */
  public ConfigContext {
    Check.notNull(ticker, "ConfigContext.ticker");
    resources = Map.copyOf(Check.notNull(resources, "ConfigContext.resources"));
  }

  /** A context with no metrics, the system ticker and no resources. */
  public static ConfigContext defaults() {
    return new ConfigContext(null, Ticker.system(), Map.of());
  }

  /** Starts a builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the resource named {@code name}.
   *
   * @throws IllegalArgumentException if there is none of that type
   */
  public <T> T resource(String name, Class<T> type) {
    Object resource = resources.get(name);
    if (!type.isInstance(resource)) {
      throw new IllegalArgumentException("The configuration needs a " + type.getSimpleName() + " resource named '"
          + name + "' in its ConfigContext" + (resource == null ? "" : ", found a " + resource.getClass().getName()));
    }
    return type.cast(resource);
  }

  /** Builds a {@link ConfigContext}. */
  public static final class Builder {
    private MeterRegistry meterRegistry;
    private Ticker ticker = Ticker.system();
    private final Map<String, Object> resources = new LinkedHashMap<>();

    private Builder() {}

    /** Where components record their meters. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Check.notNull(meterRegistry, "ConfigContext.meterRegistry");
      return this;
    }

    /** The time source. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Check.notNull(ticker, "ConfigContext.ticker");
      return this;
    }

    /** Adds a named resource. */
    public Builder resource(String name, Object resource) {
      resources.put(Check.notBlank(name, "resource name"), Check.notNull(resource, "resource '" + name + "'"));
      return this;
    }

    /** Builds the context. */
    public ConfigContext build() {
      return new ConfigContext(meterRegistry, ticker, resources);
    }
  }
}
