package dev.ballast.queue.internal;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.queue.DistributedRateLimiter;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.RedisScript;
import dev.ballast.redis.RedisErrorKind;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DistributedRateLimiter} on Redis: {@code gcra.lua} by {@code EVALSHA} through a {@link RedisGuard}
 * whose fallback is a local core {@link RateLimiter} with this instance's share.
 *
 * <p>Design note: immutable apart from the volatile {@code fallingBack} flag (informational) and the
 * connection, which is null until a connect succeeded: {@code build()} tries once, and if Redis is down or
 * refuses the credentials the limiter starts on its local share and connects in the background (one
 * attempt at a time, at most one a second, started by the calls that find no connection; Lettuce
 * reconnects an open connection by itself, not a first one). The guard, the local limiter and the
 * Lettuce connection are thread-safe. Time inside Redis is counted in
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
  private static final Logger log = LoggerFactory.getLogger(RedisGcraLimiter.class);
  private static final long RECONNECT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RedisClient client;
  private final Duration redisTimeout;
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile RuntimeException connectFailure;
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile long nextConnectAt = System.nanoTime();
  private volatile boolean closed;
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
    this.client = client;
    this.redisTimeout = redisTimeout;
    this.guard = RedisGuard.create("limiter:" + name, registry);
    if (!connectNow()) {
      RuntimeException e = connectFailure;
      if (RedisErrorKind.classify(e) == RedisErrorKind.AUTHENTICATION) {
        log.warn("DistributedRateLimiter {}: Redis authentication failed ({}); deciding on this instance's local"
            + " share and trying again every second", name, String.valueOf(e));
      } else {
        log.warn("DistributedRateLimiter {}: Redis is not reachable at start ({}); deciding on this instance's"
            + " local share and connecting in the background", name, String.valueOf(e));
      }
    }
  }

  /** Opens the connection; false (and the failure kept) if Redis is down or refuses the credentials. */
  private boolean connectNow() {
    try {
      StatefulRedisConnection<String, String> opened = client.connect(StringCodec.UTF8);
      // The connection's own timeout bounds each call: no future and no timer task per acquire.
      opened.setTimeout(redisTimeout);
      connection = opened;
      // close() writes closed, then reads connection; this writes connection, then reads closed: one of the
      // two sees the other, so the connection cannot leak (closing twice is harmless).
      if (closed) {
        opened.close();
      }
      return true;
    } catch (RuntimeException e) {
      connectFailure = e;
      return false;
    }
  }

  /** Starts one background connect if none is running and the last began a second ago or more. */
  private void connectInBackground() {
    long now = System.nanoTime();
    if (closed || now - nextConnectAt < 0 || !connecting.compareAndSet(false, true)) {
      return;
    }
    nextConnectAt = now + RECONNECT_EVERY_NANOS;
    Thread t = new Thread(() -> {
      try {
        if (connectNow()) {
          log.info("DistributedRateLimiter {}: connected to Redis", name);
        }
      } finally {
        connecting.set(false);
      }
    }, "ballast-limiter-" + name + "-connect");
    t.setDaemon(true);
    t.start();
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
    StatefulRedisConnection<String, String> current = connection;
    if (current == null) {
      connectInBackground();
    }
    return guard.call(() -> {
      if (current == null) {
        // Carries why the connect failed, so the guard tells "authentication failed" from "unavailable".
        throw new RedisConnectionException("DistributedRateLimiter " + name + " has no Redis connection yet",
            connectFailure);
      }
      Long result = SCRIPT.<String, String, Long>eval(current.sync(), ScriptOutputType.INTEGER, key,
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
    closed = true;
    guard.close();
    StatefulRedisConnection<String, String> current = connection;
    if (current != null) {
      current.close();
    }
  }

  @Override
  public String toString() {
    return "DistributedRateLimiter[" + name + ", capacity=" + capacity + ", scale=" + scale + ", cost=" + cost + "]";
  }
}
