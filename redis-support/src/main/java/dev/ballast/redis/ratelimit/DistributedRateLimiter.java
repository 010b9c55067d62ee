package dev.ballast.redis.ratelimit;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.Rate;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.RateLimiterConfig;
import dev.ballast.core.Sleeper;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import dev.ballast.core.internal.SharedScheduler;
import dev.ballast.redis.internal.KeyNames;
import dev.ballast.redis.internal.port.RedisPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * A {@link RateLimiter} whose one token bucket is shared by every instance of a fleet, for a third party's
 * global quota: one {@code EVALSHA} per acquire, the same GCRA arithmetic as the local limiter (its Lua
 * twin, state in one key), time from Redis {@code TIME}. While Redis is unreachable (behind a
 * {@link dev.ballast.redis.RedisGuard}) each instance decides on a local {@link RateLimiter} holding its
 * share of the rate, and goes back to Redis by itself once Redis answers.
 * <pre>{@code
 * DistributedRateLimiter quota = DistributedRateLimiter.builder()
 *     .name("payments-api").rate(Rate.of(100, Duration.ofSeconds(1)))
 *     .redis(redisClient).instances(4).build();
 * if (quota.tryAcquire()) { callPaymentsApi(); }
 * Pipeline.of(retry, quota).call(() -> client.pay(order));            // a Policy like any limiter
 * queue.register(PAY, Workers.of(8).rateLimited(quota), handler);
 * }</pre>
 *
 * <p>As a {@link RateLimiter}: {@link #tryAcquireOrNanosToWait} answers from the fleet's bucket;
 * {@link #acquire}, {@link #call} and {@link #callAsync} wait up to their timeout (or
 * {@link RateLimiterConfig#maxWait() maxWait}) by asking again when the bucket said a permit would be free,
 * so unlike the local limiter waiting callers are not served in arrival order. {@link #availablePermits()}
 * reads the bucket (one more round trip; the local share during an outage). Thread-safe.
 * {@link #close()} closes its connection (not the client). Configuration: {@code rateLimiters.<name>.scope:
 * fleet} with a {@code redis} resource (see docs/configuration.md).
 */
public interface DistributedRateLimiter extends RateLimiter, AutoCloseable {

  /** A builder; name, rate and redis are required. */
  static Builder builder() {
    return new Builder();
  }

  /** Whether the last decision came from the local fallback bucket (Redis unreachable). */
  boolean isFallingBack();

  /** Closes the connection this limiter opened; the fallback keeps answering afterwards. */
  @Override
  void close();

  /**
   * Builds a {@link DistributedRateLimiter}: setters only assemble, {@link #build()} connects. Mutable, not
   * thread-safe; each option may be set once ({@link IllegalStateException} otherwise).
   */
  final class Builder {
    private final OptionsSet set = new OptionsSet("DistributedRateLimiter");
    private @Nullable String name;
    private @Nullable Rate rate;
    private Duration maxWait = Duration.ZERO;
    private @Nullable Supplier<RedisPort> opener;
    private @Nullable Executor executor;
    private double share = 1.0;
    private String aclPrefix = "";
    private String keyPrefix = "ballast";
    private Duration redisTimeout = Duration.ofMillis(250);
    private @Nullable MeterRegistry registry;
    private @Nullable Ticker ticker;
    private Sleeper sleeper = Sleeper.system();
    private @Nullable ScheduledExecutorService scheduler;

    private Builder() {}

    /**
     * The limiter's name: its Redis key, its logs' and meters' tag. Required.
     *
     * @throws IllegalStateException if already set
     */
    public Builder name(String name) {
      set.claim("name");
      this.name = name;
      return this;
    }

    /**
     * The fleet's rate and burst, e.g. {@code Rate.of(100, Duration.ofSeconds(1)).withBurst(150)}. Required.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder rate(Rate rate) {
      set.claim("rate");
      this.rate = Check.notNull(rate, "DistributedRateLimiter.rate");
      return this;
    }

    /**
     * How long {@link RateLimiter#call} and {@link RateLimiter#callAsync} wait for a permit; default zero.
     *
     * @throws IllegalStateException if already set
     * @throws IllegalArgumentException if negative
     * @throws NullPointerException if null
     */
    public Builder maxWait(Duration maxWait) {
      set.claim("maxWait");
      this.maxWait = Check.notNegative(maxWait, "DistributedRateLimiter.maxWait");
      return this;
    }

    /**
     * The Redis client: one server, or a Sentinel setup through a {@code redis-sentinel://} URI (each
     * reconnect asks the Sentinels for the master, so the limiter follows a failover); {@link #build()}
     * opens one connection from it. This or {@link #redis(RedisClusterClient)} is required.
     *
     * @throws IllegalStateException if a Redis client was already set
     * @throws NullPointerException if null
     */
    public Builder redis(RedisClient client) {
      set.claim("redis");
      Check.notNull(client, "DistributedRateLimiter.redis");
      this.opener = () -> RedisPort.open(client);
      return this;
    }

    /**
     * A Redis Cluster client (enable its topology refresh, so it follows a failover): the limiter's one key
     * lives in the slot of its hash tag <code>&#123;keyPrefix:limiter:NAME}</code>, so many limiters spread
     * over the masters while each permit stays one {@code EVALSHA} on one master. {@link #build()} opens one
     * connection from it. This or {@link #redis(RedisClient)} is required.
     *
     * @throws IllegalStateException if a Redis client was already set
     * @throws NullPointerException if null
     */
    public Builder redis(RedisClusterClient client) {
      set.claim("redis");
      Check.notNull(client, "DistributedRateLimiter.redis");
      this.opener = () -> RedisPort.open(client, RedisPort.PubSubMode.AUTO);
      return this;
    }

    /**
     * The fallback gets {@code 1 / instances} of the rate and burst. Excludes {@link #share}.
     *
     * @throws IllegalStateException if this or {@link #share} is already set
     * @throws IllegalArgumentException if below 1
     */
    public Builder instances(int instances) {
      set.claim("share");
      Check.atLeast(instances, 1, "DistributedRateLimiter.instances");
      this.share = 1.0 / instances;
      return this;
    }

    /**
     * The fallback's share of the rate and burst, in (0, 1] (default 1). Excludes {@link #instances}.
     *
     * @throws IllegalStateException if this or {@link #instances} is already set
     * @throws IllegalArgumentException if not in (0, 1]
     */
    public Builder share(double share) {
      set.claim("share");
      this.share = Check.ratio(share, "DistributedRateLimiter.share");
      return this;
    }

    /**
     * The start of the Redis key, before its hash tag (default empty: the key is
     * {@code {ballast:limiter:NAME}}); e.g. {@code ballast:} so that one ACL key pattern ({@code ~ballast:*})
     * covers it, as a queue's {@code aclPrefix} does.
     *
     * @throws IllegalStateException if already set
     * @throws IllegalArgumentException if it contains '{' or '}' or is longer than 100 characters
     */
    public Builder aclPrefix(String prefix) {
      set.claim("aclPrefix");
      this.aclPrefix = KeyNames.checkAclPrefix(prefix, "DistributedRateLimiter.aclPrefix");
      return this;
    }

    /**
     * The prefix of the Redis key inside its hash tag (default {@code ballast}).
     *
     * @throws IllegalStateException if already set
     * @throws IllegalArgumentException if blank or it contains '{' or '}'
     */
    public Builder keyPrefix(String prefix) {
      set.claim("keyPrefix");
      this.keyPrefix = KeyNames.checkKeyPrefix(prefix, "DistributedRateLimiter.keyPrefix");
      return this;
    }

    /**
     * How long an acquire waits for Redis before using the fallback (default 250 ms).
     *
     * @throws IllegalStateException if already set
     * @throws IllegalArgumentException if not positive
     */
    public Builder redisTimeout(Duration timeout) {
      set.claim("redisTimeout");
      this.redisTimeout = Check.positive(timeout, "DistributedRateLimiter.redisTimeout");
      return this;
    }

    /**
     * Publishes {@code ballast.ratelimiter.permits{name,result}} (as every limiter does), and the Redis
     * guard's {@code ballast.redis.*} meters (outages, fallbacks) under component {@code limiter:NAME}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder meterRegistry(MeterRegistry registry) {
      set.claim("meterRegistry");
      this.registry = Check.notNull(registry, "DistributedRateLimiter.meterRegistry");
      return this;
    }

    /**
     * The clock. By default the shared bucket reads Redis {@code TIME} (one clock for the fleet) and the
     * fallback and waits read {@link Ticker#system()}. A ticker set here drives all of them, the shared
     * bucket included (read in whole microseconds), so every instance must then read the same clock: a
     * test's manual clock, or instances on one host.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder ticker(Ticker ticker) {
      set.claim("ticker");
      this.ticker = Check.notNull(ticker, "DistributedRateLimiter.ticker");
      return this;
    }

    /**
     * How {@link RateLimiter#acquire} and {@link RateLimiter#call} wait; default {@link Sleeper#system()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder sleeper(Sleeper sleeper) {
      set.claim("sleeper");
      this.sleeper = Check.notNull(sleeper, "DistributedRateLimiter.sleeper");
      return this;
    }

    /**
     * The scheduler that delays {@link RateLimiter#callAsync} actions waiting for a permit (and runs their
     * next Redis call); default Ballast's shared timer thread.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      set.claim("scheduler");
      this.scheduler = Check.notNull(scheduler, "DistributedRateLimiter.scheduler");
      return this;
    }

    /**
     * Runs the background connect attempts made while Redis could not be reached at {@link #build()}
     * (at most one at a time, one a second); default a new {@code ballast-limiter-NAME-connect} thread per
     * attempt. An attempt blocks for up to the client's connect timeout.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder executor(Executor executor) {
      set.claim("executor");
      this.executor = Check.notNull(executor, "DistributedRateLimiter.executor");
      return this;
    }

    /**
     * Builds the limiter and opens its connection. If Redis is down or refuses the client's credentials,
     * the limiter still builds: it decides on this instance's local share (as during any outage), logs
     * why once (an authentication failure as such), and connects in the background until Redis takes it.
     *
     * @throws IllegalArgumentException naming the invalid option (a burst too large for the exact
     *     arithmetic in Lua's doubles names {@code DistributedRateLimiter.rate burst})
     * @throws NullPointerException naming a required option that is missing
     */
    public DistributedRateLimiter build() {
      Check.notBlank(name, "DistributedRateLimiter.name");
      Check.notNull(rate, "DistributedRateLimiter.rate");
      Check.notNull(opener, "DistributedRateLimiter.redis");
      RateLimiterConfig config = RateLimiterConfig.builder().name(name).rate(rate).maxWait(maxWait).build();
      RedisGcraLimiter limiter = new RedisGcraLimiter(new RedisGcraLimiter.Settings(config, opener, share,
          KeyNames.base(aclPrefix, keyPrefix, "limiter", name), redisTimeout, registry, ticker, sleeper,
          scheduler != null ? scheduler : SharedScheduler.get(), executor));
      limiter.start();
      return limiter;
    }
  }
}
