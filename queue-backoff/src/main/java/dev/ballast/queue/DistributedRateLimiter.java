package dev.ballast.queue;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import dev.ballast.queue.internal.RedisGcraLimiter;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * A token bucket shared by every instance of a fleet, for a third party's global quota: one
 * {@code EVALSHA} per acquire, GCRA in Lua with its state in one key, time from Redis {@code TIME}. While
 * Redis is unreachable (behind a {@link dev.ballast.redis.RedisGuard}) each instance falls back to a local
 * {@link RateLimiter} with its share of the rate, and goes back to Redis by itself once Redis answers.
 * <pre>{@code
 * DistributedRateLimiter quota = DistributedRateLimiter.builder()
 *     .name("payments-api").capacity(100).refill(100, Duration.ofSeconds(1))
 *     .redis(redisClient).instances(4).build();
 * if (quota.tryAcquire()) { callPaymentsApi(); }
 * queue.register(PAY, Workers.of(8).rateLimited(quota::tryAcquire), handler);
 * }</pre>
 * Thread-safe. {@link #close()} closes its connection (not the client).
 */
public interface DistributedRateLimiter extends AutoCloseable {

  /** A builder; name, capacity, refill and redis are required. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Takes {@code permits} if the fleet's bucket has them.
   *
   * @return as {@link RateLimiter#tryAcquire(int)}: &gt;= 0 permits left when granted, &lt; 0 minus the
   *     nanoseconds to wait; decode with {@link RateLimiter#isGranted} and {@link RateLimiter#nanosToWait}
   * @throws IllegalArgumentException if {@code permits} is not in 1..capacity
   */
  long tryAcquire(int permits);

  /** Takes one permit if available. */
  default boolean tryAcquire() {
    return RateLimiter.isGranted(tryAcquire(1));
  }

  /** Whether the last decision came from the local fallback bucket (Redis unreachable). */
  boolean isFallingBack();

  /** The limiter's name. */
  String name();

  /** Closes the connection this limiter opened. */
  @Override
  void close();

  /** Builds a {@link DistributedRateLimiter}; each option may be set once. */
  final class Builder {
    private final OptionsSet set = new OptionsSet("DistributedRateLimiter");
    private String name;
    private long capacity;
    private long refillPermits;
    private Duration refillPeriod;
    private RedisClient client;
    private double share = 1.0;
    private String aclPrefix = "";
    private String keyPrefix = "ballast";
    private Duration redisTimeout = Duration.ofMillis(250);
    private MeterRegistry registry;
    private Ticker testClock;

    private Builder() {}

    /** The limiter's name: its Redis key, its logs' and meters' tag. */
    public Builder name(String name) {
      set.claim("name");
      this.name = name;
      return this;
    }

    /** The fleet's burst: the most permits available at once. */
    public Builder capacity(long capacity) {
      set.claim("capacity");
      this.capacity = capacity;
      return this;
    }

    /** The fleet's rate: {@code permits} per {@code period}. */
    public Builder refill(long permits, Duration period) {
      set.claim("refill");
      this.refillPermits = permits;
      this.refillPeriod = period;
      return this;
    }

    /** The Redis client; the limiter opens one connection from it. */
    public Builder redis(RedisClient client) {
      set.claim("redis");
      this.client = client;
      return this;
    }

    /** The fallback gets {@code 1 / instances} of the rate and burst. Excludes {@link #share}. */
    public Builder instances(int instances) {
      set.claim("share");
      Check.atLeast(instances, 1, "DistributedRateLimiter.instances");
      this.share = 1.0 / instances;
      return this;
    }

    /** The fallback's share of the rate and burst, in (0, 1] (default 1). Excludes {@link #instances}. */
    public Builder share(double share) {
      set.claim("share");
      this.share = Check.ratio(share, "DistributedRateLimiter.share");
      return this;
    }

    /**
     * The start of the Redis key, before its hash tag (default empty: the key is
     * {@code {ballast:limiter:NAME}}); e.g. {@code ballast:} so that one ACL key pattern ({@code ~ballast:*})
     * covers it, as {@link QueueConfig#aclPrefix()} does for queues.
     *
     * @throws IllegalArgumentException if it contains '{' or '}' or is longer than 100 characters
     */
    public Builder aclPrefix(String prefix) {
      set.claim("aclPrefix");
      this.aclPrefix = QueueConfig.checkAclPrefix(prefix, "DistributedRateLimiter.aclPrefix");
      return this;
    }

    /** The prefix of the Redis key inside its hash tag (default {@code ballast}). */
    public Builder keyPrefix(String prefix) {
      set.claim("keyPrefix");
      this.keyPrefix = Check.notBlank(prefix, "DistributedRateLimiter.keyPrefix");
      return this;
    }

    /** How long an acquire waits for Redis before using the fallback (default 250 ms). */
    public Builder redisTimeout(Duration timeout) {
      set.claim("redisTimeout");
      this.redisTimeout = Check.positive(timeout, "DistributedRateLimiter.redisTimeout");
      return this;
    }

    /** Where the Redis guard counts outages and fallbacks ({@code ballast.redis.*}), or null. */
    public Builder meterRegistry(MeterRegistry registry) {
      set.claim("meterRegistry");
      this.registry = registry;
      return this;
    }

    /**
     * For tests only: a clock that replaces Redis {@code TIME} in the script (and drives the fallback),
     * so windows can be checked exactly.
     */
    public Builder testClock(Ticker ticker) {
      set.claim("testClock");
      this.testClock = Check.notNull(ticker, "DistributedRateLimiter.testClock");
      return this;
    }

    /**
     * Builds the limiter and opens its connection. If Redis is down or refuses the client's credentials,
     * the limiter still builds: it decides on this instance's local share (as during any outage), logs
     * why once (an authentication failure as such), and connects in the background until Redis takes it.
     *
     * @throws IllegalArgumentException naming the invalid option
     * @throws NullPointerException if a required option is missing
     */
    public DistributedRateLimiter build() {
      Check.notBlank(name, "DistributedRateLimiter.name");
      Check.notNull(client, "DistributedRateLimiter.redis");
      Check.notNull(refillPeriod, "DistributedRateLimiter.refill period");
      return new RedisGcraLimiter(name, capacity, refillPermits, refillPeriod, client, share, aclPrefix, keyPrefix,
          redisTimeout, registry, testClock);
    }
  }
}
