package dev.ballast.queue.internal;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.queue.DistributedRateLimiter;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.RedisScript;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigInteger;
import java.time.Duration;

/**
 * {@link DistributedRateLimiter} on Redis: {@code gcra.lua} by {@code EVALSHA} through a {@link RedisGuard}
 * whose fallback is a local core {@link RateLimiter} with this instance's share.
 *
 * <p>Design note: immutable apart from the volatile {@code fallingBack} flag (informational); the guard,
 * the local limiter and the Lettuce connection are thread-safe. Time inside Redis is counted in
 * {@code 1/scale} microseconds with {@code scale} and {@code cost} reduced as in core's {@code Gcra}, so
 * the arithmetic is exact; {@code burst} must stay below 2^52 to remain exact in Lua's doubles.
 */
public final class RedisGcraLimiter implements DistributedRateLimiter {

  static final RedisScript SCRIPT = RedisScript.fromResource(RedisGcraLimiter.class, "gcra.lua");
  private static final long MAX_SCALE = 1024;
  private static final long MAX_BURST = 1L << 52;

  private final String name;
  private final long capacity;
  private final String[] key;
  private final String scale;
  private final String cost;
  private final String burst;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;
  private final RedisGuard guard;
  private final RateLimiter local;
  private final Ticker testClock;
  private volatile boolean fallingBack;

  public RedisGcraLimiter(String name, long capacity, long refillPermits, Duration refillPeriod, RedisClient client,
      double share, String aclPrefix, String keyPrefix, Duration redisTimeout, MeterRegistry registry,
      Ticker testClock) {
    this.name = name;
    this.capacity = Check.atLeast(capacity, 1, "DistributedRateLimiter.capacity");
    Check.atLeast(refillPermits, 1, "DistributedRateLimiter.refillPermits");
    Check.positive(refillPeriod, "DistributedRateLimiter.refillPeriod");
    long periodMicros = Check.atLeast(Check.saturatedNanos(refillPeriod) / 1000, 1,
        "DistributedRateLimiter.refillPeriod (microseconds)");
    long[] sc = scaleAndCost(refillPermits, periodMicros);
    if (sc[1] > MAX_BURST / capacity) {
      throw new IllegalArgumentException("DistributedRateLimiter.capacity must be at most " + MAX_BURST / sc[1]
          + " at this refill rate, was " + capacity);
    }
    this.scale = Long.toString(sc[0]);
    this.cost = Long.toString(sc[1]);
    this.burst = Long.toString(capacity * sc[1]);
    this.key = new String[] {RedisKeys.base(aclPrefix, keyPrefix, "limiter", name)};
    this.testClock = testClock;
    long localCapacity = Math.max(1, (long) Math.floor(capacity * share));
    Duration localPeriod = Duration.ofNanos(Math.max(1, (long) Math.ceil(refillPeriod.toNanos() / share)));
    RateLimiter.Builder localBuilder = RateLimiter.builder().name(name + "-local-share").capacity(localCapacity)
        .refill(refillPermits, localPeriod);
    if (testClock != null) {
      localBuilder.ticker(testClock);
    }
    this.local = localBuilder.build();
    this.connection = client.connect(StringCodec.UTF8);
    // After the connection: a limiter that could not connect never joins the shared ballast.redis.up gauge.
    this.guard = RedisGuard.create("limiter:" + name, registry);
    // The connection's own timeout bounds each call: no future and no timer task per acquire.
    connection.setTimeout(redisTimeout);
    this.redis = connection.sync();
  }

  /** {scale, cost} of the rate in microseconds, exact when possible, else clamped with the cost rounded up. */
  static long[] scaleAndCost(long permits, long periodMicros) {
    long g = BigInteger.valueOf(permits).gcd(BigInteger.valueOf(periodMicros)).longValueExact();
    long scale = permits / g;
    if (scale <= MAX_SCALE) {
      return new long[] {scale, periodMicros / g};
    }
    BigInteger[] qr = BigInteger.valueOf(periodMicros).multiply(BigInteger.valueOf(MAX_SCALE))
        .divideAndRemainder(BigInteger.valueOf(permits));
    return new long[] {MAX_SCALE, qr[0].longValueExact() + (qr[1].signum() == 0 ? 0 : 1)};
  }

  @Override
  public long tryAcquire(int permits) {
    Check.atLeast(permits, 1, "permits");
    Check.atMost(permits, capacity, "permits");
    String now = testClock == null ? "-1" : Long.toString(Math.floorDiv(testClock.read(), 1000L));
    return guard.call(() -> {
      Long result = SCRIPT.<String, String, Long>eval(redis, ScriptOutputType.INTEGER, key,
          Integer.toString(permits), scale, cost, burst, now);
      fallingBack = false;
      return result >= 0 ? result : result * 1000; // microseconds to wait -> nanoseconds
    }, () -> {
      fallingBack = true;
      return local.tryAcquire(permits);
    });
  }

  @Override
  public boolean isFallingBack() {
    return fallingBack;
  }

  @Override
  public String name() {
    return name;
  }

  /** The guard around Redis, for tests. */
  public RedisGuard guard() {
    return guard;
  }

  @Override
  public void close() {
    guard.close();
    connection.close();
  }

  @Override
  public String toString() {
    return "DistributedRateLimiter[" + name + ", capacity=" + capacity + ", scale=" + scale + ", cost=" + cost + "]";
  }
}
