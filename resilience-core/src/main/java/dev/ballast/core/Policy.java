package dev.ballast.core;

import org.jspecify.annotations.Nullable;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Something that wraps a call: a rate limiter, a retry, a circuit breaker, a timeout, a fallback, or a
 * {@link Pipeline} of them. This is the one wrapping mechanism in Ballast: there are no per-shape
 * decorator methods; a {@link Runnable}-like action goes through {@link #run}, anything else through
 * {@link #call} or {@link #callAsync}.
 *
 * <p>Implementations are immutable in configuration and safe to share between threads.
 */
public interface Policy {

  /**
   * Runs {@code action} under this policy and returns its result.
   *
   * @throws Exception what the action threw (possibly after retries), or the policy's own rejection,
   *     such as {@link CallRejectedException} or {@link TimeoutExceededException}
   */
  <T extends @Nullable Object> T call(CheckedSupplier<? extends T> action) throws Exception;

  /**
   * Runs an asynchronous {@code action} under this policy. The action is called (again, for a retry)
   * only when the policy lets it through; its failure or the policy's rejection completes the returned
   * stage exceptionally. Never throws.
   */
  <T extends @Nullable Object> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action);

  /** Runs an action that has no result; see {@link #call}. */
  default void run(CheckedRunnable action) throws Exception {
    call(() -> {
      action.run();
      return null;
    });
  }
}
