package dev.ballast.core;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.Check;
import java.util.function.Predicate;

/**
 * Turns a failure into a result: a cached value, a default, a degraded answer. Put it outermost in a
 * {@link Pipeline} so it sees the final failure, after retries.
 * <pre>{@code
 * Fallback<List<Product>> fallback = Fallback.of(failure -> List.of());
 * Policy policy = Pipeline.of(fallback, retry, breaker);
 * List<Product> products = policy.call(() -> catalog.recommendations(user));
 * }</pre>
 * The policy cannot check that the handler's type matches each call's result type: use one fallback
 * per kind of call. Errors such as {@link OutOfMemoryError} are never handled.
 *
 * @param <R> the type of result the handler produces
 */
public interface Fallback<R extends @Nullable Object> extends Policy {

  /** Produces the replacement result for a failure. */
  @FunctionalInterface
  interface Handler<R extends @Nullable Object> {
    /**
     * @param failure what the call threw (for asynchronous calls, the unwrapped cause)
     * @return the result to hand the caller instead
     * @throws Exception to fail the call after all, usually with {@code failure} itself
     */
    R apply(Throwable failure) throws Exception;
  }

  /**
   * A fallback that handles every exception with {@code handler}.
   *
   * @throws NullPointerException if {@code handler} is null
   */
  static <R extends @Nullable Object> Fallback<R> of(Handler<? extends R> handler) {
    return new DefaultFallback<>(Check.notNull(handler, "Fallback.handler"), failure -> true);
  }

  /**
   * This fallback, handling only the failures {@code which} accepts; the rest propagate unchanged.
   * <pre>{@code Fallback.of(e -> cached).handling(e -> e instanceof CallRejectedException)}</pre>
   */
  Fallback<R> handling(Predicate<? super Throwable> which);
}
