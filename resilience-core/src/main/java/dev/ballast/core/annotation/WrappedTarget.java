package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;

import dev.ballast.core.internal.Futures;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The proxy's handler: looks up the method's interceptor chain (built once at wrap time, read-only
 * since, so shared by all threads without locks) and runs it.
 */
final class WrappedTarget implements InvocationHandler {

  private static final Object[] NO_ARGUMENTS = {};

  private final Object target;
  private final Map<Method, Chain> chains;

  /** One method's interceptors, outermost first, and what is known of the method once for all calls. */
  private record Chain(MethodInterceptor[] interceptors, boolean async) {}

  WrappedTarget(Object target, Map<Method, MethodInterceptor[]> chains) {
    this.target = target;
    Map<Method, Chain> built = new java.util.HashMap<>();
    chains.forEach((method, interceptors) -> built.put(method,
        new Chain(interceptors, CompletionStage.class.isAssignableFrom(method.getReturnType()))));
    this.chains = Map.copyOf(built);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return objectMethod(proxy, method, args);
    }
    Object[] arguments = args != null ? args : NO_ARGUMENTS;
    Chain chain = chains.get(method);
    try {
      if (chain == null) {
        return callTarget(target, method, arguments);
      }
      return new Call(chain, 0, target, method, arguments).proceed();
    } catch (InterruptedException interrupted) {
      if (declares(method, InterruptedException.class)) {
        throw interrupted;
      }
      throw undeclaredInterrupt(method, interrupted);
    }
  }

  /**
   * An interrupt the method cannot report (a rate limiter's wait under a method without
   * {@code throws InterruptedException}): the proxy would turn it into an
   * {@link java.lang.reflect.UndeclaredThrowableException} and the interrupt would be lost with the
   * cleared flag. Instead the flag is set again, so the caller's thread still knows it was asked to stop,
   * and the call ends with an unchecked {@link CancellationException} that says why.
   */
  private static CancellationException undeclaredInterrupt(Method method, InterruptedException interrupted) {
    Thread.currentThread().interrupt();
    CancellationException cancelled = new CancellationException(method.getDeclaringClass().getSimpleName() + "."
        + method.getName() + " was interrupted while running (the thread's interrupt flag is set again); it does"
        + " not declare InterruptedException");
    cancelled.initCause(interrupted);
    return cancelled;
  }

  private static boolean declares(Method method, Class<? extends Exception> type) {
    for (Class<?> declared : method.getExceptionTypes()) {
      if (declared.isAssignableFrom(type)) {
        return true;
      }
    }
    return false;
  }

  private Object objectMethod(Object proxy, Method method, Object[] args) throws Exception {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      case "toString" -> "Wrapped[" + target + "]";
      default -> callTarget(target, method, args);
    };
  }

  /** Calls the real method, rethrowing what it threw rather than the reflection wrapper. */
  static Object callTarget(Object target, Method method, Object[] arguments) throws Exception {
    try {
      return method.invoke(target, arguments);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** One position in one call's chain; proceeding makes the next position, so it can be repeated. */
  private record Call(Chain chain, int index, Object target, Method method, Object[] arguments)
      implements Invocation {

    @Override
    public boolean isAsync() {
      return chain.async();
    }

    @Override
    public Object proceed() throws Exception {
      if (!chain.async()) {
        return step();
      }
      return Futures.start(() -> {
        try {
          @SuppressWarnings("unchecked")
          CompletionStage<Object> stage = (CompletionStage<Object>) step();
          return stage;
        } catch (Exception e) {
          return CompletableFuture.failedFuture(e);
        }
      });
    }

    private Object step() throws Exception {
      MethodInterceptor[] interceptors = chain.interceptors();
      if (index == interceptors.length) {
        return callTarget(target, method, arguments);
      }
      return interceptors[index].invoke(new Call(chain, index + 1, target, method, arguments));
    }
  }
}
