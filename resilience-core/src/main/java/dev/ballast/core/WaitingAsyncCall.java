package dev.ballast.core;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An asynchronous bulkhead call that found no free slot and waits for one without holding a thread: it
 * sits in the bulkhead's queue until a call that ends hands it its slot ({@link #grant}), its wait runs out
 * ({@link #timeOut}) or its caller cancels the returned stage. Exactly one of these wins, decided by one
 * compare-and-set on {@code state}: {@code WAITING} to {@code GRANTED} or to
 * {@code ENDED}. Only the winner of {@code GRANTED} owns a slot, and it gives the slot back through the
 * bulkhead's {@code HeldPermit} once the action's stage completes, is cancelled or the action throws. A
 * loser of the race owns nothing and does nothing; so a slot is never lost or doubled, and a call that
 * ended waiting never runs its action.
 */
final class WaitingAsyncCall<T> {

  private static final int WAITING = 0;
  private static final int GRANTED = 1;
  private static final int ENDED = 2;

  private final AtomicInteger state = new AtomicInteger(WAITING);
  private final SemaphoreBulkhead bulkhead;
  private final Supplier<? extends CompletionStage<T>> action;
  private final Executor executor;
  private final long waitingSince;
  private final CompletableFuture<T> promise = new CompletableFuture<>();
  private volatile Future<?> timer;
  private volatile CompletableFuture<T> running;

  WaitingAsyncCall(SemaphoreBulkhead bulkhead, Supplier<? extends CompletionStage<T>> action, Executor executor,
      long waitingSince) {
    this.bulkhead = bulkhead;
    this.action = action;
    this.executor = executor;
    this.waitingSince = waitingSince;
    promise.whenComplete((result, error) -> {
      if (error instanceof CancellationException) {
        cancelled();
      }
    });
  }

  /** The stage the caller gets: completes as the action's does, or with the refusal when the wait runs out. */
  CompletableFuture<T> promise() {
    return promise;
  }

  /** Sets the timer that ends the wait; cancelled once the call is granted a slot or cancelled. */
  void timer(Future<?> timer) {
    this.timer = timer;
    if (state.get() != WAITING) {
      timer.cancel(false); // granted or cancelled before the timer was set
    }
  }

  /**
   * Offers this call a slot the caller holds. On {@code true} the slot is this call's (its action is started
   * on the executor); on {@code false} the call had already ended waiting and the caller keeps the slot.
   */
  boolean grant() {
    if (!state.compareAndSet(WAITING, GRANTED)) {
      return false;
    }
    bulkhead.stoppedWaiting();
    cancelTimer();
    try {
      executor.execute(this::start);
    } catch (RuntimeException rejected) {
      // The executor refused (shut down): the slot goes back, the caller hears why.
      bulkhead.freeSlot();
      promise.completeExceptionally(rejected);
    }
    return true;
  }

  /** The wait ran out: refuses the call, unless it was granted or cancelled first. */
  void timeOut() {
    if (state.compareAndSet(WAITING, ENDED)) {
      bulkhead.forget(this);
      BulkheadFullException refused = bulkhead.reject(SemaphoreBulkhead.WAIT_TIMEOUT);
      try {
        // The caller's continuations run on the executor, not on the timer thread.
        executor.execute(() -> promise.completeExceptionally(refused));
      } catch (RuntimeException rejected) {
        promise.completeExceptionally(refused); // the executor is shut down: better here than never
      }
    }
  }

  /** The timer could not be set (its scheduler refused): the call fails, unless it was granted meanwhile. */
  void failToWait(RuntimeException why) {
    if (state.compareAndSet(WAITING, ENDED)) {
      bulkhead.forget(this);
      promise.completeExceptionally(why);
    }
  }

  private void start() {
    CompletableFuture<T> inner = bulkhead.runHolding(action, waitingSince);
    running = inner;
    inner.whenComplete((result, error) -> {
      if (error == null) {
        promise.complete(result);
      } else {
        promise.completeExceptionally(error);
      }
    });
    if (promise.isCancelled()) {
      inner.cancel(true); // cancelled between the grant and the start: the slot comes back now
    }
  }

  private void cancelled() {
    if (state.compareAndSet(WAITING, ENDED)) {
      bulkhead.forget(this);
      cancelTimer();
      return;
    }
    CompletableFuture<T> inner = running;
    if (inner != null) {
      inner.cancel(true); // releases the slot once and cancels the action's stage
    }
  }

  private void cancelTimer() {
    Future<?> set = timer;
    if (set != null) {
      set.cancel(false);
    }
  }
}
