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
 *     .name("payments").capacity(100).refill(800, Duration.ofSeconds(1)).build();
 *
 * long result = limiter.tryAcquire(1);                 // the primitive: no allocation
 * if (!RateLimiter.isGranted(result)) {
 *   respondTooManyRequests(RateLimiter.nanosToWait(result));
 * }
 *
 * String body = limiter.call(() -> client.fetch(url)); // as a Policy: one permit per call
 * }</pre>
 *
 * <p>As a {@link Policy}, each {@link #call} and {@link #callAsync} takes one permit, waiting for it up to
 * the configured {@link RateLimiterConfig#maxWait() maxWait} (default: not at all), and otherwise refuses
 * with a {@link RateLimitExceededException}. Waiting callers reserve their permit and so are served in
 * arrival order. Limiters are thread-safe.
 */
public interface RateLimiter extends Policy {

  /** Returns a builder; only the capacity is required. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Takes {@code permits} if they are available now; never waits. The answer is packed into one
   * {@code long} so that the granted path allocates nothing; decode it with {@link #isGranted},
   * {@link #remainingPermits} and {@link #nanosToWait}.
   *
   * @return the permits left ({@code >= 0}) when granted, or minus the nanoseconds until
   *     {@code permits} will be available ({@code < 0}) when refused; a refusal takes nothing
   * @throws IllegalArgumentException if {@code permits} is below 1 or above the capacity (it could never
   *     be granted)
   */
  long tryAcquire(int permits);

  /**
   * Takes one permit if one is available now.
   *
   * @return whether the permit was granted
   */
  boolean tryAcquire();

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

  /** Whether a {@link #tryAcquire(int)} result means granted. */
  static boolean isGranted(long result) {
    return result >= 0;
  }

  /** The permits left after a granted {@link #tryAcquire(int)}; 0 for a refusal. */
  static long remainingPermits(long result) {
    return Math.max(result, 0);
  }

  /** The nanoseconds a refused {@link #tryAcquire(int)} should wait; 0 for a grant. */
  static long nanosToWait(long result) {
    return result < 0 ? -result : 0;
  }

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
