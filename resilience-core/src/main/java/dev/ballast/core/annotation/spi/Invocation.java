package dev.ballast.core.annotation.spi;

import org.jspecify.annotations.Nullable;
import java.lang.reflect.Method;

/**
 * One call of a wrapped method as an interceptor sees it. {@link #proceed()} may be called more than
 * once (a retry does), each time running the rest of the chain and the target anew.
 */
public interface Invocation {

  /** The interface method being called. */
  Method method();

  /**
   * The call's arguments (the array is never null, empty for none; an argument may be null). Interceptors must
   * not modify it.
   */
  @Nullable Object[] arguments();

  /** The wrapped implementation. */
  Object target();

  /** Whether the method returns a {@link java.util.concurrent.CompletionStage}. */
  boolean isAsync();

  /**
   * Runs the inner interceptors and the target. For an {@linkplain #isAsync() async} method it returns
   * the stage and never throws: a failure to start is a failed stage.
   *
   * @throws Exception what the inner chain threw (synchronous methods only)
   */
  @Nullable Object proceed() throws Exception;

  /**
   * Ends this call with {@code failure} instead of proceeding (a refused write, a switched-off feature, a
   * key that cannot be built), the way the method's callers expect failures: thrown for a synchronous
   * method, as a failed stage for an {@linkplain #isAsync() async} one.
   *
   * @return the failed stage (async methods only)
   * @throws Exception {@code failure} (synchronous methods only)
   */
  default @Nullable Object fail(Exception failure) throws Exception {
    if (isAsync()) {
      return java.util.concurrent.CompletableFuture.failedFuture(failure);
    }
    throw failure;
  }
}
