package dev.ballast.core.annotation;

import java.lang.reflect.Method;

/**
 * One call of a wrapped method as an interceptor sees it. {@link #proceed()} may be called more than
 * once (a retry does), each time running the rest of the chain and the target anew.
 */
public interface Invocation {

  /** The interface method being called. */
  Method method();

  /** The call's arguments (never null; empty for none). Interceptors must not modify it. */
  Object[] arguments();

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
  Object proceed() throws Exception;
}
