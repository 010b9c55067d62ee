package dev.ballast.core;

import dev.ballast.core.internal.Futures;
import dev.ballast.core.internal.Gcra;
import dev.ballast.core.internal.SharedScheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An asynchronous call that could not take its permit at once: it waits on the limiter's scheduler
 * instead of blocking a thread, then runs the action and relays its outcome. The timer thread only
 * re-reserves (cheap, no user code); the action is handed off to the asynchronous pool so it cannot delay
 * every other timer in the JVM. Confined to one thread at a time (the caller, then the timer, then the
 * pool; each hand-off is an executor submission, so it happens-before the next step), its mutable budget
 * needs no synchronization.
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
      try {
        SharedScheduler.runLater(limiter.scheduler(), reserveResult, this::runAction);
      } catch (RejectedExecutionException e) {
        outcome.completeExceptionally(e);
      }
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
    try {
      limiter.scheduler().schedule(() -> handle(limiter.reserve(1, budgetNanos)), pause, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      outcome.completeExceptionally(e);
    }
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
}
