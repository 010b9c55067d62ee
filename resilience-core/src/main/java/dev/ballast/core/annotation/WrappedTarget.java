package dev.ballast.core.annotation;

import dev.ballast.core.internal.Futures;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The proxy's handler: looks up the method's interceptor chain (built once at wrap time, read-only
 * since, so shared by all threads without locks) and runs it.
 */
final class WrappedTarget implements InvocationHandler {

  private static final Object[] NO_ARGUMENTS = {};

  private final Object target;
  private final Map<Method, MethodInterceptor[]> chains;

  WrappedTarget(Object target, Map<Method, MethodInterceptor[]> chains) {
    this.target = target;
    this.chains = Map.copyOf(chains);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return objectMethod(proxy, method, args);
    }
    Object[] arguments = args != null ? args : NO_ARGUMENTS;
    MethodInterceptor[] chain = chains.get(method);
    if (chain == null) {
      return callTarget(target, method, arguments);
    }
    return new Call(chain, 0, target, method, arguments).proceed();
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
  private record Call(MethodInterceptor[] chain, int index, Object target, Method method, Object[] arguments)
      implements Invocation {

    @Override
    public boolean isAsync() {
      return CompletionStage.class.isAssignableFrom(method.getReturnType());
    }

    @Override
    public Object proceed() throws Exception {
      if (!isAsync()) {
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
      if (index == chain.length) {
        return callTarget(target, method, arguments);
      }
      return chain[index].invoke(new Call(chain, index + 1, target, method, arguments));
    }
  }
}
