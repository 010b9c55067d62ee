package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import dev.ballast.core.internal.Gcra;
import dev.ballast.core.internal.GcraBucket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The unmetered {@link RateLimiter}: one padded {@link GcraBucket}, plus the {@link Policy} glue. All
 * shared state lives in the bucket (see its design note); everything here is final and immutable.
 * {@link MeteredRateLimiter} overrides the two primitives, {@link #tryAcquireOrNanosToWait(int)} and
 * {@link #reserve}, to count their outcomes; every other path goes through them.
 */
class TokenBucketRateLimiter implements RateLimiter {

  private final RateLimiterConfig config;
  private final GcraBucket bucket;
  private final long capacity;
  private final long maxWaitNanos;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final ScheduledExecutorService scheduler;

  TokenBucketRateLimiter(
      RateLimiterConfig config, Ticker ticker, Sleeper sleeper, ScheduledExecutorService scheduler) {
    this.config = config;
    this.capacity = config.capacity();
    this.maxWaitNanos = Check.saturatedNanos(config.maxWait());
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.scheduler = scheduler;
    Gcra gcra = new Gcra(capacity, config.refillPermits(), Check.saturatedNanos(config.refillPeriod()), ticker);
    this.bucket = GcraBucket.padded(gcra, config.initialPermits());
  }

  @Override
  public long tryAcquireOrNanosToWait(int permits) {
    if (permits < 1 || permits > capacity) {
      throw config.permitsOutOfRange(permits);
    }
    return bucket.tryAcquireOrNanosToWait(permits);
  }

  /**
   * Takes or reserves {@code permits} (already validated) when they are available within
   * {@code maxWaitNanos}; see {@link GcraBucket#reserve} for the encoding. A refusal whose wait is
   * within {@code maxWaitNanos} lies beyond the reservation horizon: the caller waits and asks again.
   */
  long reserve(int permits, long maxWaitNanos) {
    return bucket.reserve(permits, maxWaitNanos);
  }

  @Override
  public final boolean tryAcquire(int permits) {
    return tryAcquireOrNanosToWait(permits) == 0;
  }

  @Override
  public final boolean tryAcquire() {
    return tryAcquireOrNanosToWait(1) == 0;
  }

  @Override
  public final boolean acquire(int permits, Duration timeout) throws InterruptedException {
    if (permits < 1 || permits > capacity) {
      throw config.permitsOutOfRange(permits);
    }
    Check.notNegative(timeout, "timeout");
    return acquireWithin(permits, Check.saturatedNanos(timeout)) == 0;
  }

  /**
   * Takes {@code permits}, sleeping until they are available if that is within {@code timeoutNanos}.
   *
   * @return 0 when taken, else minus the nanoseconds they would have needed
   */
  private long acquireWithin(int permits, long timeoutNanos) throws InterruptedException {
    long budget = timeoutNanos;
    while (true) {
      long result = reserve(permits, budget);
      if (result >= 0) {
        if (result > 0) {
          sleeper.sleep(result);
        }
        return 0;
      }
      long wait = -result;
      if (wait > budget) {
        return result;
      }
      // Beyond the reservation horizon: wait until the permits are within it, then queue for them.
      long pause = wait - Gcra.RESERVATION_HORIZON_NANOS;
      long before = ticker.read();
      sleeper.sleep(pause);
      // At least the pause counts, so a sleeper that returns early cannot make this loop forever.
      budget -= Math.max(pause, ticker.read() - before);
    }
  }

  @Override
  public final <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    long result = acquireWithin(1, maxWaitNanos);
    if (result < 0) {
      throw new RateLimitExceededException(config.name(), -result);
    }
    return action.get();
  }

  @Override
  public final <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    long result = reserve(1, maxWaitNanos);
    if (result == 0) {
      return Futures.start(action);
    }
    CompletableFuture<T> outcome = new CompletableFuture<>();
    new DelayedAsyncCall<T>(this, action, outcome, maxWaitNanos).handle(result);
    return outcome;
  }

  @Override
  public final long availablePermits() {
    return bucket.available();
  }

  @Override
  public final String name() {
    return config.name();
  }

  @Override
  public final RateLimiterConfig config() {
    return config;
  }

  final ScheduledExecutorService scheduler() {
    return scheduler;
  }

  @Override
  public String toString() {
    return "RateLimiter[" + config.name() + ": capacity " + capacity + ", " + config.refillPermits()
        + " per " + config.refillPeriod() + "]";
  }
}
