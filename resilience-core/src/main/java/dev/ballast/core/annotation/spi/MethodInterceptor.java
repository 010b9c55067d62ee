package dev.ballast.core.annotation.spi;

import org.jspecify.annotations.Nullable;

/** Wraps the calls of one method; built once per method at wrap time, shared by all calls. */
@FunctionalInterface
public interface MethodInterceptor {

  /**
   * Handles one call: usually does something around {@link Invocation#proceed()}.
   *
   * @throws Exception what the call or the interceptor threw (synchronous methods only)
   */
  @Nullable Object invoke(Invocation invocation) throws Exception;
}
