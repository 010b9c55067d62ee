package dev.ballast.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The meters every rate limiter of the family publishes, named and tagged in one place. */
public final class RateLimiterMeters {

  /** Counter of permits requested, tagged {@code name} and {@code result} ({@code granted}, {@code refused}). */
  public static final String PERMITS = "ballast.ratelimiter.permits";
  /** Gauge of the permits available now, tagged {@code name}. */
  public static final String AVAILABLE = "ballast.ratelimiter.available";
  /** Gauge of the keys holding a bucket (keyed limiters), tagged {@code name}. */
  public static final String KEYS = "ballast.ratelimiter.keys";

  private RateLimiterMeters() {}

  /** The {@link #PERMITS} counter of one limiter and result. */
  public static Counter permits(MeterRegistry registry, String name, String result) {
    return Counter.builder(PERMITS)
        .description("Permits requested from the rate limiter, by result")
        .tag("name", name)
        .tag("result", result)
        .register(registry);
  }
}
