package dev.ballast.core;

import org.jspecify.annotations.Nullable;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Composes policies into one. <b>Policies apply outer to inner, in the order written</b>: in
 * <pre>{@code
 * Policy policy = Pipeline.of(fallback, retry, breaker, limiter, timeout);
 * String body = policy.call(() -> client.fetch(url));
 * }</pre>
 * the fallback sees the final outcome after all retries; every retry attempt passes through the breaker,
 * then the limiter (so an open breaker spends no permit), and each attempt has its own timeout. Put a
 * timeout outside the retry instead to bound the whole call including its retries.
 *
 * <p>This is the only place the nesting order is defined; everything that composes policies, the
 * annotation wrapping included, goes through it. A pipeline is immutable and thread-safe; it is itself a
 * {@link Policy}, so pipelines nest.
 */
public final class Pipeline implements Policy {

  private final Policy[] outerToInner;

  private Pipeline(Policy[] outerToInner) {
    this.outerToInner = outerToInner;
  }

  /**
   * Returns the composition of {@code outerToInner}, the first being the outermost.
   *
   * @throws NullPointerException if the array or one of its policies is null
   */
  public static Pipeline of(Policy... outerToInner) {
    Objects.requireNonNull(outerToInner, "Pipeline.policies");
    Policy[] copy = outerToInner.clone();
    for (int i = 0; i < copy.length; i++) {
      Objects.requireNonNull(copy[i], "Pipeline.policies[" + i + "]");
    }
    return new Pipeline(copy);
  }

  /** The policies, outermost first. */
  public List<Policy> policies() {
    return List.of(outerToInner);
  }

  @Override
  public <T extends @Nullable Object> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    return callFrom(0, action);
  }

  private <T> T callFrom(int index, CheckedSupplier<? extends T> action) throws Exception {
    if (index == outerToInner.length) {
      return action.get();
    }
    if (index == outerToInner.length - 1) {
      return outerToInner[index].call(action);
    }
    return outerToInner[index].call(() -> callFrom(index + 1, action));
  }

  @Override
  public <T extends @Nullable Object> CompletionStage<T> callAsync(
      Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    return callAsyncFrom(0, action);
  }

  private <T> CompletionStage<T> callAsyncFrom(int index, Supplier<? extends CompletionStage<T>> action) {
    if (index == outerToInner.length) {
      return action.get();
    }
    if (index == outerToInner.length - 1) {
      return outerToInner[index].callAsync(action);
    }
    return outerToInner[index].callAsync(() -> callAsyncFrom(index + 1, action));
  }

  @Override
  public String toString() {
    return "Pipeline" + List.of(outerToInner);
  }
}
