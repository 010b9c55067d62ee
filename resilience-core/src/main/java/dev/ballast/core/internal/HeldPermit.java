package dev.ballast.core.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Holds a permit (a bulkhead's, a concurrency limiter's) for as long as an asynchronous call runs, and
 * gives it back exactly once, whichever comes first: the action's stage completes (success or failure),
 * the caller cancels the returned stage (an outer timeout does this), or the action throws or returns
 * null instead of a stage.
 *
 * <p>Design: one {@link AtomicBoolean} per call decides which of those paths releases; the others find
 * it already set and do nothing. Cancelling the returned stage passes the cancellation on to the
 * action's stage, so work nobody waits for is stopped where the action allows it.
 */
public final class HeldPermit<T> extends AtomicBoolean {

  private static final long serialVersionUID = 1L;

  /** Gives a permit back, with the outcome that ended the call. */
  @FunctionalInterface
  public interface Release {
    /**
     * @param result the action's result, or null
     * @param error the failure (unwrapped), a {@link CancellationException} for a cancelled call, or null
     */
    void release(Object result, Throwable error);
  }

  private final Release release;

  private HeldPermit(Release release) {
    this.release = release;
  }

  /**
   * Starts {@code action}, whose permit is already taken, and returns a stage that completes as the
   * action's does; {@code release} runs exactly once.
   */
  public static <T> CompletableFuture<T> run(Supplier<? extends CompletionStage<T>> action, Release release) {
    HeldPermit<T> permit = new HeldPermit<>(release);
    CompletableFuture<T> promise = new CompletableFuture<>();
    CompletionStage<T> stage = Futures.start(action);
    promise.whenComplete((result, error) -> {
      if (error instanceof CancellationException) {
        // The caller (or an outer timeout) gave up: the permit is free now, and the work is told to stop.
        permit.releaseOnce(null, error);
        cancel(stage);
      }
    });
    stage.whenComplete((result, error) -> {
      Throwable cause = error == null ? null : Futures.unwrap(error);
      permit.releaseOnce(result, cause);
      if (cause == null) {
        promise.complete(result);
      } else {
        promise.completeExceptionally(cause);
      }
    });
    return promise;
  }

  private void releaseOnce(Object result, Throwable error) {
    if (compareAndSet(false, true)) {
      release.release(result, error);
    }
  }

  private static void cancel(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException notCancellable) {
      // A stage that cannot be converted cannot be cancelled either; its permit is already back.
    }
  }
}
