package dev.ballast.redis.ratelimit;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.CheckedSupplier;
import dev.ballast.core.RateLimitExceededException;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.RateLimiterConfig;
import dev.ballast.core.Sleeper;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.BallastThreads;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import dev.ballast.core.internal.Gcra;
import dev.ballast.core.internal.RateLimiterMeters;
import dev.ballast.core.internal.SharedScheduler;
import dev.ballast.redis.RedisErrorKind;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.RedisScript;
import dev.ballast.redis.internal.port.RedisPort;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DistributedRateLimiter} on Redis: {@code gcra.lua} by {@code EVALSHA} through a {@link RedisGuard}
 * whose fallback is a local core {@link RateLimiter} with this instance's share. Redis is reached through
 * the internal {@link RedisPort}, so one code path serves one server, Sentinel and Redis Cluster (the one
 * key of a limiter is hash-tagged: its slot is the limiter's name's).
 *
 * <p>Design note: the constructor only assembles; {@link #start()} (called by the builder) connects. The
 * state is immutable apart from the volatile {@code fallingBack} flag (informational) and the port,
 * which is null until a connect succeeded: {@code start()} tries once, and if Redis is down or refuses the
 * credentials the limiter starts on its local share and connects in the background (one attempt at a
 * time, at most one a second, started by the calls that find no connection, run on the builder's
 * executor or a {@link BallastThreads} thread; Lettuce reconnects an open connection by itself, not a
 * first one). The guard, the local limiter and the port are thread-safe. Each call waits at most the
 * Redis timeout on the port's future (a blocking get: no timer task per acquire) and cancels it after. The arithmetic is core's {@link Gcra}: scale, cost and burst come from it, in scaled
 * nanoseconds, and the script is its twin; {@code burst} must stay below 2^52 to remain exact in Lua's
 * doubles.
 */
final class RedisGcraLimiter implements DistributedRateLimiter {

  static final RedisScript SCRIPT = RedisScript.fromResource(RedisGcraLimiter.class, "gcra.lua");
  /** Lua numbers are doubles: every unit count must stay an exact integer. */
  static final long MAX_LUA_BURST = 1L << 52;
  private static final Logger log = LoggerFactory.getLogger(RedisGcraLimiter.class);
  private static final long RECONNECT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** What the builder assembled. */
  record Settings(RateLimiterConfig config, Supplier<RedisPort> opener, double share, String key,
      Duration redisTimeout, @Nullable MeterRegistry registry, @Nullable Ticker ticker, Sleeper sleeper,
      ScheduledExecutorService scheduler, @Nullable Executor connectExecutor) {}

  private final RateLimiterConfig config;
  private final String name;
  private final long capacity;
  private final long maxWaitNanos;
  private final byte[][] key;
  private final String scale;
  private final String cost;
  private final String burst;
  private final byte[] scaleBytes;
  private final byte[] costBytes;
  private final byte[] burstBytes;
  private static final byte[] EMPTY = new byte[0];
  private static final byte[][] PERMITS = new byte[64][];
  private final Supplier<RedisPort> opener;
  /** Null: a {@link BallastThreads} thread per background connect. */
  private final @Nullable Executor connectExecutor;
  private final Duration redisTimeout;
  private final RedisGuard guard;
  private final RateLimiter local;
  /** Null: Redis TIME in the script, the system clock here. */
  private final @Nullable Ticker sharedClock;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final ScheduledExecutorService scheduler;
  /** Null without a registry. */
  private final @Nullable Counter granted;
  private final @Nullable Counter refused;

  static {
    for (int i = 0; i < PERMITS.length; i++) {
      PERMITS[i] = ascii(Integer.toString(i));
    }
  }

  private volatile @Nullable RedisPort port;
  private volatile @Nullable RuntimeException connectFailure;
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile long nextConnectAt = System.nanoTime();
  private volatile boolean closed;
  private volatile boolean fallingBack;

  RedisGcraLimiter(Settings s) {
    this.config = s.config();
    this.name = config.name();
    this.capacity = config.capacity();
    this.maxWaitNanos = Check.saturatedNanos(config.maxWait());
    this.sharedClock = s.ticker();
    this.ticker = s.ticker() != null ? s.ticker() : Ticker.system();
    Gcra gcra = new Gcra(capacity, config.refillPermits(), Check.saturatedNanos(config.refillPeriod()), ticker);
    if (gcra.burst() >= MAX_LUA_BURST) {
      throw new IllegalArgumentException("DistributedRateLimiter.rate burst must be at most "
          + (MAX_LUA_BURST - 1) / gcra.cost() + " at " + config.refillPermits() + " per " + config.refillPeriod()
          + " (a drained bucket must refill within the exact range of Redis's Lua numbers), was " + capacity);
    }
    this.scale = Long.toString(gcra.scale());
    this.cost = Long.toString(gcra.cost());
    this.burst = Long.toString(gcra.burst());
    this.scaleBytes = ascii(scale);
    this.costBytes = ascii(cost);
    this.burstBytes = ascii(burst);
    this.key = new byte[][] {s.key().getBytes(StandardCharsets.UTF_8)};
    double share = s.share();
    long localCapacity = Math.max(1, (long) Math.floor(capacity * share));
    Duration localPeriod =
        Duration.ofNanos(Math.max(1, (long) Math.ceil(config.refillPeriod().toNanos() / share)));
    this.local = RateLimiter.builder().name(name + "-local-share").capacity(localCapacity)
        .refill(config.refillPermits(), localPeriod).ticker(ticker).build();
    this.opener = s.opener();
    this.connectExecutor = s.connectExecutor();
    this.redisTimeout = s.redisTimeout();
    this.sleeper = s.sleeper();
    this.scheduler = s.scheduler();
    this.guard = RedisGuard.create("limiter:" + name, s.registry());
    this.granted = s.registry() == null ? null : RateLimiterMeters.permits(s.registry(), name, "granted");
    this.refused = s.registry() == null ? null : RateLimiterMeters.permits(s.registry(), name, "refused");
  }

  /** Connects once now; if that fails, logs why once and leaves the next try to the first calls. */
  void start() {
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

  /** Opens the port; false (and the failure kept) if Redis is down or refuses the credentials. */
  private boolean connectNow() {
    try {
      RedisPort opened = opener.get();
      port = opened;
      // close() writes closed, then reads port; this writes port, then reads closed: one of the
      // two sees the other, so the port cannot leak (closing twice is harmless).
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
    Runnable attempt = () -> {
      try {
        if (connectNow()) {
          log.info("DistributedRateLimiter {}: connected to Redis", name);
        }
      } finally {
        connecting.set(false);
      }
    };
    try {
      if (connectExecutor != null) {
        connectExecutor.execute(attempt);
      } else {
        BallastThreads.thread("limiter-" + name + "-connect", attempt).start();
      }
    } catch (RejectedExecutionException shutDown) {
      connecting.set(false); // the application's executor is shut down: the next call tries again
    }
  }

  @Override
  public long tryAcquireOrNanosToWait(int permits) {
    if (permits < 1 || permits > capacity) {
      throw Gcra.permitsOutOfRange(permits, capacity, name);
    }
    long result = script(permits);
    if (granted != null) {
      (result == 0 ? granted : refused).increment(permits);
    }
    return result;
  }

  /** One run of the script, or of the fallback: see gcra.lua for what {@code permits} 0 means. */
  private long script(int permits) {
    byte[] now = sharedClock == null ? EMPTY : ascii(Long.toString(Math.floorDiv(sharedClock.read(), 1000L)));
    RedisPort current = port;
    if (current == null) {
      connectInBackground();
    }
    return guard.call(() -> {
      if (current == null) {
        // Carries why the connect failed, so the guard tells "authentication failed" from "unavailable".
        throw new RedisConnectionException("DistributedRateLimiter " + name + " has no Redis connection yet",
            connectFailure);
      }
      byte[] count = permits < PERMITS.length ? PERMITS[permits] : ascii(Integer.toString(permits));
      Long result = await(current.<Long>eval(SCRIPT, ScriptOutputType.INTEGER, key, count, scaleBytes, costBytes,
          burstBytes, now));
      fallingBack = false;
      return result;
    }, () -> {
      fallingBack = true;
      return permits == 0 ? local.availablePermits() : local.tryAcquireOrNanosToWait(permits);
    });
  }

  /**
   * Waits at most the Redis timeout for {@code stage}; a late or interrupted call is cancelled and thrown
   * as Lettuce would have from a synchronous call, for the guard to classify.
   */
  private <T> T await(CompletionStage<T> stage) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    try {
      return future.get(redisTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RedisCommandTimeoutException("DistributedRateLimiter " + name + ": Redis did not answer within "
          + redisTimeout);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RedisCommandInterruptedException(e);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public boolean acquire(int permits, Duration timeout) throws InterruptedException {
    Check.notNegative(timeout, "timeout");
    return acquireWithin(permits, Check.saturatedNanos(timeout)) == 0;
  }

  /**
   * Takes {@code permits}, sleeping until the bucket says they are free if that is within
   * {@code timeoutNanos}, and asking again.
   *
   * @return 0 when taken, else the nanoseconds they would have needed
   */
  private long acquireWithin(int permits, long timeoutNanos) throws InterruptedException {
    long deadline = ticker.read() + timeoutNanos;
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted waiting for rate limiter '" + name + "'");
      }
      long wait = tryAcquireOrNanosToWait(permits);
      if (wait == 0) {
        return 0;
      }
      long left = deadline - ticker.read();
      if (wait > left) {
        return wait;
      }
      sleeper.sleep(wait);
    }
  }

  @Override
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    long wait = acquireWithin(1, maxWaitNanos);
    if (wait > 0) {
      throw new RateLimitExceededException(name, wait);
    }
    return action.get();
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    CompletableFuture<T> outcome = new CompletableFuture<>();
    attemptAsync(action, outcome, ticker.read() + maxWaitNanos);
    return outcome;
  }

  /** Runs {@code action} if a permit is free now, else retries on the scheduler when one will be. */
  private <T> void attemptAsync(
      Supplier<? extends CompletionStage<T>> action, CompletableFuture<T> outcome, long deadline) {
    long wait;
    try {
      wait = tryAcquireOrNanosToWait(1);
    } catch (RuntimeException e) {
      outcome.completeExceptionally(e);
      return;
    }
    if (wait == 0) {
      Futures.start(action).whenComplete((value, error) -> {
        if (error != null) {
          outcome.completeExceptionally(error);
        } else {
          outcome.complete(value);
        }
      });
    } else if (wait > deadline - ticker.read()) {
      outcome.completeExceptionally(new RateLimitExceededException(name, wait));
    } else {
      try {
        SharedScheduler.runLater(scheduler, wait, () -> attemptAsync(action, outcome, deadline));
      } catch (RuntimeException e) { // the scheduler was shut down
        outcome.completeExceptionally(e);
      }
    }
  }

  @Override
  public long availablePermits() {
    return script(0);
  }

  @Override
  public boolean isFallingBack() {
    return fallingBack;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public RateLimiterConfig config() {
    return config;
  }

  /** The guard around Redis (package-private, for tests in this package). */
  RedisGuard guard() {
    return guard;
  }

  @Override
  public void close() {
    closed = true;
    guard.close();
    RedisPort current = port;
    if (current != null) {
      current.close();
    }
  }

  @Override
  public String toString() {
    return "DistributedRateLimiter[" + name + ", " + config.rate() + ", scale=" + scale + ", cost=" + cost + "]";
  }
}
