package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * One token bucket per key (tenant, user, API key), all with the same {@link RateLimiterConfig}, kept in
 * a bounded Caffeine cache. A key's first request creates its bucket holding
 * {@link RateLimiterConfig#initialPermits()} permits.
 * <pre>{@code
 * KeyedRateLimiter<String> perTenant = KeyedRateLimiter.builder()
 *     .name("api-per-tenant").rate(Rate.of(10, Duration.ofSeconds(1)).withBurst(20)).build();
 *
 * if (!perTenant.tryAcquire(tenantId)) {
 *   return tooManyRequests();
 * }
 * }</pre>
 *
 * <p><b>Forgetting keys.</b> A bucket untouched for {@code expireAfterAccess} is dropped (within a second
 * after that: the cache that holds the buckets records an access only once a second). The default is
 * the time a drained bucket takes to refill completely: an idle bucket that old is full, so dropping it
 * changes nothing (a bucket recreated later starts with {@code initialPermits}, at most full). A shorter
 * expiry, or eviction under the {@code maximumKeys} bound, can drop a bucket that was not yet full and so
 * hand that key a fresh bucket early: the bound trades memory for precision for the least active keys.
 *
 * <p>Thread-safe; the granted path takes no lock of its own and allocates nothing once the key's bucket
 * exists.
 *
 * @param <K> the key type; keys must have stable {@code equals} and {@code hashCode}
 */
public interface KeyedRateLimiter<K> {

  /** Returns a builder; only the capacity is required. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Takes {@code permits} from the bucket of {@code key} if they are available now; never waits, and
   * allocates nothing once the key has a bucket. The same shape as {@link RateLimiter#tryAcquireOrNanosToWait}.
   *
   * @return 0 when the permits were taken; else ({@code > 0}) the nanoseconds until they will be available,
   *     nothing taken
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code permits} is below 1 or above the capacity
   */
  long tryAcquireOrNanosToWait(K key, int permits);

  /**
   * Takes {@code permits} from the bucket of {@code key} if they are available now.
   *
   * @return whether the permits were taken (a refusal takes nothing)
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code permits} is below 1 or above the capacity
   */
  boolean tryAcquire(K key, int permits);

  /**
   * Takes one permit from the bucket of {@code key} if one is available now.
   *
   * @return whether the permit was granted
   * @throws NullPointerException if {@code key} is null
   */
  boolean tryAcquire(K key);

  /**
   * The permits available now to {@code key}, without creating its bucket or counting as an access.
   *
   * @throws NullPointerException if {@code key} is null
   */
  long availablePermits(K key);

  /** About how many keys have a bucket now (expired ones may count until the next {@link #cleanUp()}). */
  long estimatedKeys();

  /** Drops expired and surplus buckets now; this otherwise happens on its own as the limiter is used. */
  void cleanUp();

  /** The limiter's name, as in its configuration. */
  String name();

  /** The configuration every key's bucket follows ({@code maxWait} is not used). */
  RateLimiterConfig config();

  /**
   * Builds a {@link KeyedRateLimiter}. Mutable, not thread-safe; each option may be set once
   * ({@link IllegalStateException} otherwise).
   */
  final class Builder {

    /** The default bound on the number of keys with a bucket. */
    public static final long DEFAULT_MAXIMUM_KEYS = 1_000_000;

    private final OptionsSet options = new OptionsSet("KeyedRateLimiter");
    private RateLimiterConfig.Builder config = RateLimiterConfig.builder();
    private long maximumKeys = DEFAULT_MAXIMUM_KEYS;
    private Duration expireAfterAccess;
    private Ticker ticker = Ticker.system();
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
        throw new IllegalStateException("KeyedRateLimiter.config must be set before the options it holds");
      }
      this.config = Check.notNull(config, "KeyedRateLimiter.config").toBuilder();
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#name}. */
    public Builder name(String name) {
      config.name(name);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#capacity}; applies to each key's bucket. */
    public Builder capacity(long capacity) {
      config.capacity(capacity);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#refill}; applies to each key's bucket. */
    public Builder refill(long permits, Duration period) {
      config.refill(permits, period);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#rate}; applies to each key's bucket. */
    public Builder rate(Rate rate) {
      config.rate(rate);
      return this;
    }

    /** See {@link RateLimiterConfig.Builder#initialPermits}; what a new key's bucket starts with. */
    public Builder initialPermits(long initialPermits) {
      config.initialPermits(initialPermits);
      return this;
    }

    /**
     * Bounds the number of keys with a bucket; default {@value #DEFAULT_MAXIMUM_KEYS}.
     *
     * @throws IllegalStateException if already set
     * @throws IllegalArgumentException if below 1
     */
    public Builder maximumKeys(long maximumKeys) {
      options.claim("maximumKeys");
      this.maximumKeys = Check.atLeast(maximumKeys, 1, "KeyedRateLimiter.maximumKeys");
      return this;
    }

    /**
     * Drops a key's bucket after this long without a request; default the time a drained bucket takes
     * to refill (see the class note for why, and what a shorter value costs).
     *
     * @throws IllegalStateException if already set
     * @throws IllegalArgumentException if not positive
     * @throws NullPointerException if null
     */
    public Builder expireAfterAccess(Duration expireAfterAccess) {
      options.claim("expireAfterAccess");
      this.expireAfterAccess = Check.positive(expireAfterAccess, "KeyedRateLimiter.expireAfterAccess");
      return this;
    }

    /**
     * Sets the time source for both the buckets and their expiry; default {@link Ticker#system()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder ticker(Ticker ticker) {
      options.claim("ticker");
      this.ticker = Check.notNull(ticker, "KeyedRateLimiter.ticker");
      return this;
    }

    /**
     * Publishes metrics to {@code registry}: counter {@code ballast.ratelimiter.permits} tagged
     * {@code name} and {@code result} ({@code granted} or {@code refused}), and gauge
     * {@code ballast.ratelimiter.keys} tagged {@code name}. Keys never become tags.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder meterRegistry(MeterRegistry registry) {
      options.claim("meterRegistry");
      this.meterRegistry = Check.notNull(registry, "KeyedRateLimiter.meterRegistry");
      return this;
    }

    /**
     * Returns the limiter.
     *
     * @param <K> the key type
     * @throws IllegalStateException if the capacity was never set
     * @throws IllegalArgumentException naming the first invalid configuration field
     */
    public <K> KeyedRateLimiter<K> build() {
      RateLimiterConfig built = config.build();
      return meterRegistry == null
          ? new CaffeineKeyedRateLimiter<>(built, maximumKeys, expireAfterAccess, ticker)
          : MeteredKeyedRateLimiter.create(built, maximumKeys, expireAfterAccess, ticker, meterRegistry);
    }
  }
}
