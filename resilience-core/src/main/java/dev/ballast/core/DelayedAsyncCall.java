package dev.ballast.core;

import dev.ballast.core.internal.Futures;
import dev.ballast.core.internal.Gcra;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An asynchronous call that could not take its permit at once: it waits on the limiter's scheduler
 * instead of blocking a thread, then runs the action and relays its outcome. Confined to one thread at a
 * time (the caller, then the scheduler), so its mutable budget needs no synchronization.
 */
final class DelayedAsyncCall<T> {

  private final TokenBucketRateLimiter limiter;
  private final Supplier<? extends CompletionStage<T>> action;
  private final CompletableFuture<T> outcome;
  private long budgetNanos;

  DelayedAsyncCall(TokenBucketRateLimiter limiter, Supplier<? extends CompletionStage<T>> action,
      CompletableFuture<T> outcome, long budgetNanos) {
    this.limiter = limiter;
    this.action = action;
    this.outcome = outcome;
    this.budgetNanos = budgetNanos;
  }

  /** Acts on a {@link TokenBucketRateLimiter#reserve} result obtained with the current budget. */
  void handle(long reserveResult) {
    if (reserveResult >= 0) {
      schedule(this::runAction, reserveResult);
      return;
    }
    long wait = -reserveResult;
    if (wait > budgetNanos) {
      outcome.completeExceptionally(new RateLimitExceededException(limiter.name(), wait));
      return;
    }
    // Beyond the reservation horizon: come back when the permit is within it, then queue for it.
    long pause = wait - Gcra.RESERVATION_HORIZON_NANOS;
    budgetNanos -= pause;
    schedule(() -> handle(limiter.reserve(1, budgetNanos)), pause);
  }

  private void runAction() {
    Futures.start(action).whenComplete((value, failure) -> {
      if (failure != null) {
        outcome.completeExceptionally(failure);
      } else {
        outcome.complete(value);
      }
    });
  }

  private void schedule(Runnable task, long delayNanos) {
    if (delayNanos == 0) {
      task.run();
      return;
    }
    try {
      limiter.scheduler().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      outcome.completeExceptionally(e);
    }
  }
}
