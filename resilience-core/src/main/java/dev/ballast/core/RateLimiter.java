package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import dev.ballast.core.internal.SharedScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A token bucket: up to {@code capacity} permits, refilled continuously at a fixed rate. Lock-free, free of
 * allocation when a permit is granted, and exact over any length of time (see
 * {@link RateLimiterConfig} on precision).
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.builder()
 *     .name("payments").rate(Rate.of(800, Duration.ofSeconds(1)).withBurst(100)).build();
 *
 * if (!limiter.tryAcquire()) { ... }                    // one permit, now or never
 * long wait = limiter.tryAcquireOrNanosToWait(5);      // 0: taken; else how long until 5 are free
 * if (wait > 0) {
 *   respondTooManyRequests(Duration.ofNanos(wait));
 * }
 *
 * String body = limiter.call(() -> client.fetch(url)); // as a Policy: one permit per call
 * }</pre>
 *
 * <p>As a {@link Policy}, each {@link #call} and {@link #callAsync} takes one permit, waiting for it up to
 * the configured {@link RateLimiterConfig#maxWait() maxWait} (default: not at all), and otherwise refuses
 * with a {@link RateLimitExceededException}. Waiting callers reserve their permit and so are served in
 * arrival order. Limiters are thread-safe.
 *
 * <p>The family: this interface is the local limiter and also the fleet-wide one
 * ({@code dev.ballast.redis.ratelimit.DistributedRateLimiter} in {@code ballast-redis-support}), so either
 * goes in {@code Pipeline.of}, behind {@code @RateLimited} and in configuration; {@link KeyedRateLimiter}
 * keeps one bucket per key with the same {@link RateLimiterConfig} and the same methods, given a key.
 */
public interface RateLimiter extends Policy {

  /** Returns a builder; only the capacity is required. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Takes {@code permits} if they are available now; never waits, allocates nothing.
   *
   * @return 0 when the permits were taken; else ({@code > 0}) the nanoseconds until they will be available,
   *     nothing taken
   * @throws IllegalArgumentException if {@code permits} is below 1 or above the capacity (it could never
   *     be granted)
   */
  long tryAcquireOrNanosToWait(int permits);

  /**
   * Takes {@code permits} if they are available now; never waits.
   *
   * @return whether the permits were taken (a refusal takes nothing)
   * @throws IllegalArgumentException if {@code permits} is below 1 or above the capacity
   */
  default boolean tryAcquire(int permits) {
    return tryAcquireOrNanosToWait(permits) == 0;
  }

  /**
   * Takes one permit if one is available now.
   *
   * @return whether the permit was granted
   */
  default boolean tryAcquire() {
    return tryAcquireOrNanosToWait(1) == 0;
  }

  /**
   * Takes {@code permits}, waiting through the limiter's {@link Sleeper} when they will be available
   * within {@code timeout}; returns {@code false} at once, taking nothing, when they will not. A caller
   * that waits reserves its permits first, so callers are served in arrival order (waits longer than a
   * minute are first spent outside that queue).
   *
   * @return whether the permits were taken
   * @throws IllegalArgumentException if {@code permits} is below 1 or above the capacity, or
   *     {@code timeout} is negative
   * @throws NullPointerException if {@code timeout} is null
   * @throws InterruptedException if interrupted while waiting; the reserved permits stay spent
   */
  boolean acquire(int permits, Duration timeout) throws InterruptedException;

  /** The permits available now, between 0 and the capacity; a snapshot for monitoring. */
  long availablePermits();

  /** The limiter's name, as in its configuration. */
  String name();

  /** The limiter's configuration. */
  RateLimiterConfig config();

  /**
   * Builds a {@link RateLimiter}: the bucket's {@link RateLimiterConfig} options plus the clocks and
   * executors it runs on. Mutable, not thread-safe; each option may be set once
   * ({@link IllegalStateException} otherwise).
   */
  final class Builder {

    private final OptionsSet options = new OptionsSet("RateLimiter");
    private RateLimiterConfig.Builder config = RateLimiterConfig.builder();
    private Ticker ticker = Ticker.system();
    private Sleeper sleeper = Sleeper.system();
    private ScheduledExecutorService scheduler;
    private MeterRegistry meterRegistry;

    Builder() {}

    /**
     * Starts from an existing configuration; the options below may then override each of its values once.
     *
     * @throws IllegalStateException if set twice, or after one of the configuration options
     * @throws NullPointerException if {@code config} is null
     */
    public Builder config(RateLimiterConfig config) {
      options.claim("config");
      if (this.config.anySet()) {
        throw new IllegalStateException("RateLimiter.config must be set before the options it holds");
      }
      this.config = Check.notNull(config, "RateLimiter.config").toBuilder();
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#name}. */
    public Builder name(String name) {
      config.name(name);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#capacity}. */
    public Builder capacity(long capacity) {
      config.capacity(capacity);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#refill}. */
    public Builder refill(long permits, Duration period) {
      config.refill(permits, period);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#rate}. */
    public Builder rate(Rate rate) {
      config.rate(rate);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#maxWait}. */
    public Builder maxWait(Duration maxWait) {
      config.maxWait(maxWait);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#initialPermits}. */
    public Builder initialPermits(long initialPermits) {
      config.initialPermits(initialPermits);
      return this;
    }

    /**
     * Sets the time source, read once per operation; default {@link Ticker#system()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder ticker(Ticker ticker) {
      options.claim("ticker");
      this.ticker = Check.notNull(ticker, "RateLimiter.ticker");
      return this;
    }

    /**
     * Sets how {@link #acquire} and {@link #call} wait; default {@link Sleeper#system()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder sleeper(Sleeper sleeper) {
      options.claim("sleeper");
      this.sleeper = Check.notNull(sleeper, "RateLimiter.sleeper");
      return this;
    }

    /**
     * Sets the scheduler that delays {@link #callAsync} actions waiting for a permit; default Ballast's
     * shared timer thread.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      options.claim("scheduler");
      this.scheduler = Check.notNull(scheduler, "RateLimiter.scheduler");
      return this;
    }

    /**
     * Publishes metrics to {@code registry}: counter {@code ballast.ratelimiter.permits} tagged
     * {@code name} and {@code result} ({@code granted} or {@code refused}), and gauge
     * {@code ballast.ratelimiter.available} tagged {@code name}. Without a registry the limiter does no
     * metric work at all.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder meterRegistry(MeterRegistry registry) {
      options.claim("meterRegistry");
      this.meterRegistry = Check.notNull(registry, "RateLimiter.meterRegistry");
      return this;
    }

    /**
     * Returns the limiter, its bucket holding {@link RateLimiterConfig#initialPermits()} permits.
     *
     * @throws IllegalStateException if the capacity was never set
     * @throws IllegalArgumentException naming the first invalid configuration field
     */
    public RateLimiter build() {
      RateLimiterConfig built = config.build();
      ScheduledExecutorService timer = scheduler != null ? scheduler : SharedScheduler.get();
      return meterRegistry == null
          ? new TokenBucketRateLimiter(built, ticker, sleeper, timer)
          : MeteredRateLimiter.create(built, ticker, sleeper, timer, meterRegistry);
    }
  }
}
