package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import dev.ballast.core.internal.SharedScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The {@link Retry} implementation. Stateless between calls (all per-call state lives on the stack or
 * in the call's future), so it needs no synchronization; the success path of a first attempt reads no
 * clock unless a deadline is set, and allocates nothing.
 */
final class DefaultRetry implements Retry {

  /** {@link #delayBeforeRetry} returns this when no further attempt may be made. */
  private static final long STOP = -1;

  private final RetryConfig config;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final ScheduledExecutorService scheduler;
  private final RetryMetrics metrics;
  private final long maxDurationNanos;
  private final long maxBackoffNanos;

  DefaultRetry(RetryConfig config, Ticker ticker, Sleeper sleeper, ScheduledExecutorService scheduler,
      RetryMetrics metrics) {
    this.config = config;
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.maxDurationNanos = config.maxDuration() == null ? -1 : Check.saturatedNanos(config.maxDuration());
    this.maxBackoffNanos = Check.saturatedNanos(config.backoff().max());
  }

  @Override
  public RetryConfig config() {
    return config;
  }

  @Override
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    recordCall();
    long start = maxDurationNanos >= 0 ? ticker.read() : 0;
    long previousDelay = 0;
    for (int attempt = 1; ; attempt++) {
      T result = null;
      Exception failure = null;
      try {
        result = action.get();
      } catch (Exception e) {
        failure = e;
      }
      boolean retryable = isRetryable(result, failure);
      long delay = retryable ? delayBeforeRetry(attempt, failure, start, previousDelay) : STOP;
      if (delay == STOP) {
        metrics.finished(!retryable && failure == null, attempt);
        if (failure != null) {
          throw failure;
        }
        return result;
      }
      metrics.retried();
      sleeper.sleep(delay);
      previousDelay = delay;
    }
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    CompletableFuture<T> promise = new CompletableFuture<>();
    try {
      recordCall();
      attemptAsync(action, promise, 1, maxDurationNanos >= 0 ? ticker.read() : 0, 0);
    } catch (Throwable unexpected) {
      promise.completeExceptionally(unexpected);
    }
    return promise;
  }

  private <T> void attemptAsync(Supplier<? extends CompletionStage<T>> action, CompletableFuture<T> promise,
      int attempt, long start, long previousDelay) {
    CompletionStage<T> stage = Futures.start(action);
    stage.whenComplete((result, error) -> {
      try {
        Throwable failure = Futures.unwrap(error);
        // Errors (OutOfMemoryError and the like) are never retried, as in the synchronous path.
        boolean retryable = !(failure instanceof Error) && isRetryable(result, failure);
        long delay = retryable ? delayBeforeRetry(attempt, failure, start, previousDelay) : STOP;
        if (delay == STOP) {
          metrics.finished(!retryable && failure == null, attempt);
          if (failure != null) {
            promise.completeExceptionally(failure);
          } else {
            promise.complete(result);
          }
          return;
        }
        metrics.retried();
        Runnable next = () -> attemptAsync(action, promise, attempt + 1, start, delay);
        if (delay == 0) {
          next.run();
        } else {
          SharedScheduler.runLater(scheduler, delay, next);
        }
      } catch (Throwable unexpected) {
        promise.completeExceptionally(unexpected);
      }
    });
  }

  private void recordCall() {
    if (config.budget() != null) {
      config.budget().recordCall();
    }
  }

  private boolean isRetryable(Object result, Throwable failure) {
    if (failure instanceof InterruptedException) {
      return false; // someone wants this thread to stop: retrying would ignore them
    }
    if (failure != null) {
      return config.retryOn().test(failure);
    }
    return config.retryOnResult() != null && config.retryOnResult().test(result);
  }

  /** The nanoseconds to wait before the next attempt, or {@link #STOP} when none may be made. */
  private long delayBeforeRetry(int attempt, Throwable failure, long start, long previousDelay) {
    if (attempt >= config.maxAttempts()) {
      return STOP;
    }
    Duration hint = failure != null ? config.retryAfter().apply(failure) : null;
    long delay;
    long backoffNanos = config.backoff().delayNanos(attempt, previousDelay);
    if (hint != null) {
      long hinted = Math.max(0, Check.saturatedNanos(hint));
      if (hinted > maxBackoffNanos) {
        return STOP; // never wait longer on a server's word than on our own: "come back in an hour" ends it
      }
      delay = Math.max(hinted, backoffNanos); // a floor: a half-open breaker's "retry now" is no reason to hurry
    } else {
      delay = backoffNanos;
    }
    if (maxDurationNanos >= 0 && ticker.read() - start > maxDurationNanos - delay) {
      return STOP; // the next attempt would begin after the deadline
    }
    if (config.budget() != null && !config.budget().tryRetry()) {
      metrics.budgetRefused();
      return STOP;
    }
    return delay;
  }

  @Override
  public String toString() {
    return "Retry[" + config.name() + ", maxAttempts=" + config.maxAttempts() + "]";
  }
}
