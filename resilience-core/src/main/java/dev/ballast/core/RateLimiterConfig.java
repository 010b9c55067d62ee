package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Gcra;
import dev.ballast.core.internal.OptionsSet;
import java.time.Duration;

/**
 * The validated, immutable configuration of a token bucket: {@link RateLimiter} and
 * {@link KeyedRateLimiter} (one such bucket per key) share it.
 *
 * <p>The bucket holds up to {@code capacity} permits (the burst) and gains {@code refillPermits} every
 * {@code refillPeriod}, continuously rather than in steps: 10 per second means one every 100 ms.
 * <pre>{@code
 * RateLimiterConfig config = RateLimiterConfig.builder()
 *     .name("payments").capacity(100).refill(800, Duration.ofSeconds(1)).build();
 * RateLimiterConfig slower = config.toBuilder().refill(400, Duration.ofSeconds(1)).build();
 * }</pre>
 *
 * <p><b>Precision.</b> The bucket counts in exact integers, so it neither drifts nor rounds over hours of
 * use, whenever {@code refillPermits / gcd(refillPermits, refillPeriod in ns) <= 1024}, which holds for
 * every rate with "round" numbers (800 per second, 3 per second, 7 per 100 ms). Other rates (such as 7919
 * per second) are rounded down, never up, by less than {@code rate / 1.024e12 per second} relative: under
 * one part per million up to a million permits per second. The time a drained bucket takes to refill is
 * bounded (about 73 years for exact rates with small reduced numerators, 26 days for clamped rates); a
 * larger capacity is rejected with the largest one that fits.
 *
 * @param name how metrics, logs and exceptions name the limiter; not blank
 * @param capacity the most permits the bucket holds, so the largest burst; at least 1
 * @param refillPermits how many permits are added per {@code refillPeriod}; at least 1
 * @param refillPeriod the period of {@code refillPermits}; positive
 * @param maxWait how long {@link RateLimiter#call} and {@link RateLimiter#callAsync} wait for a permit
 *     before refusing; zero (refuse at once) or more. Not used by {@link KeyedRateLimiter}.
 * @param initialPermits the permits a new bucket starts with, between 0 and {@code capacity}
 */
public record RateLimiterConfig(
    String name, long capacity, long refillPermits, Duration refillPeriod, Duration maxWait,
    long initialPermits) {

  /**
   * Validates every field.
   *
   * @throws NullPointerException if {@code name}, {@code refillPeriod} or {@code maxWait} is null
   * @throws IllegalArgumentException naming the first field that is out of range, or {@code capacity} when
   *     a drained bucket would take too long to refill for the exact arithmetic (see {@link Gcra#check})
   */
  public RateLimiterConfig {
    Check.notBlank(name, "RateLimiter.name");
    Check.atLeast(capacity, 1, "RateLimiter.capacity");
    Check.atLeast(refillPermits, 1, "RateLimiter.refillPermits");
    Check.positive(refillPeriod, "RateLimiter.refillPeriod");
    Check.notNegative(maxWait, "RateLimiter.maxWait");
    Check.atLeast(initialPermits, 0, "RateLimiter.initialPermits");
    Check.atMost(initialPermits, capacity, "RateLimiter.initialPermits");
    Gcra.check(capacity, refillPermits, Check.saturatedNanos(refillPeriod));
  }

  /** Returns an empty builder; only {@link Builder#capacity} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this configuration; each option may then be overridden once. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.name = name;
    builder.capacity = capacity;
    builder.refillPermits = refillPermits;
    builder.refillPeriod = refillPeriod;
    builder.maxWait = maxWait;
    // A full bucket stays "full" when the copy changes the capacity; a partial start is kept as is.
    builder.initialPermits = initialPermits == capacity ? null : initialPermits;
    return builder;
  }

  /** The rate as one {@link Rate}: {@code refillPermits} per {@code refillPeriod}, burst {@code capacity}. */
  public Rate rate() {
    return new Rate(refillPermits, refillPeriod, capacity);
  }

  /** The exception for a permit count a bucket of this capacity can never grant. */
  IllegalArgumentException permitsOutOfRange(int permits) {
    return Gcra.permitsOutOfRange(permits, capacity, name);
  }

  /**
   * Builds a {@link RateLimiterConfig}. Mutable and not thread-safe; each option may be set once (twice is
   * an {@link IllegalStateException}, usually a copy-paste slip), except on a {@link #toBuilder()} copy,
   * where each may be overridden once. Values are validated by {@link #build()}.
   */
  public static final class Builder {

    private final OptionsSet options = new OptionsSet("RateLimiter");
    private String name = "default";
    private long capacity;
    private long refillPermits;
    private Duration refillPeriod;
    private Duration maxWait = Duration.ZERO;
    private Long initialPermits;

    Builder() {}

    /**
     * Sets the name used in metrics, logs and exceptions; default {@code "default"}.
     *
     * @throws IllegalStateException if already set on this builder
     */
    public Builder name(String name) {
      options.claim("name");
      this.name = name;
      return this;
    }

    /**
     * Sets the most permits the bucket holds (the burst). Required.
     *
     * @throws IllegalStateException if already set on this builder
     */
    public Builder capacity(long capacity) {
      options.claim("capacity");
      this.capacity = capacity;
      return this;
    }

    /**
     * Sets the refill rate: {@code permits} per {@code period}, added continuously. Default: the capacity
     * per second.
     *
     * @throws IllegalStateException if already set on this builder
     */
    public Builder refill(long permits, Duration period) {
      options.claim("refill");
      this.refillPermits = permits;
      this.refillPeriod = period;
      return this;
    }

    /**
     * Sets the capacity (the rate's burst) and the refill (its permits per period) from one {@link Rate}, as
     * configuration writes it ({@code 100/s burst 20}). Excludes {@link #capacity} and {@link #refill}.
     *
     * @throws IllegalStateException if the capacity or the refill is already set on this builder
     * @throws NullPointerException if {@code rate} is null
     */
    public Builder rate(Rate rate) {
      Check.notNull(rate, "RateLimiter.rate");
      capacity(rate.burst());
      refill(rate.permits(), rate.period());
      return this;
    }

    /**
     * Sets how long a {@link Policy} call waits for a permit before it is refused; default zero.
     *
     * @throws IllegalStateException if already set on this builder
     */
    public Builder maxWait(Duration maxWait) {
      options.claim("maxWait");
      this.maxWait = maxWait;
      return this;
    }

    /**
     * Sets the permits a new bucket starts with; default the capacity (a full bucket).
     *
     * @throws IllegalStateException if already set on this builder
     */
    public Builder initialPermits(long initialPermits) {
      options.claim("initialPermits");
      this.initialPermits = initialPermits;
      return this;
    }

    /** Whether any option was set on this builder (a {@code toBuilder()} copy starts with none). */
    boolean anySet() {
      return options.isSet("name") || options.isSet("capacity") || options.isSet("refill")
          || options.isSet("maxWait") || options.isSet("initialPermits");
    }

    /**
     * Returns the validated configuration.
     *
     * @throws IllegalStateException if the capacity was never set
     * @throws IllegalArgumentException naming the first invalid field
     * @throws NullPointerException naming the first missing value
     */
    public RateLimiterConfig build() {
      if (capacity == 0 && !options.isSet("capacity")) {
        throw new IllegalStateException("RateLimiter.capacity must be set");
      }
      boolean defaultRefill = refillPeriod == null && !options.isSet("refill");
      return new RateLimiterConfig(name, capacity,
          defaultRefill ? capacity : refillPermits,
          defaultRefill ? Duration.ofSeconds(1) : refillPeriod,
          maxWait,
          initialPermits == null ? capacity : initialPermits);
    }
  }
}
