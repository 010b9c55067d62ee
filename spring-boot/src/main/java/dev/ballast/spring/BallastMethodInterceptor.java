package dev.ballast.spring;

import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.util.ClassUtils;
import org.jspecify.annotations.Nullable;

/**
 * The Spring AOP advice of one wrapped bean: finds the called method's chain of Ballast interceptors (built once
 * when the bean was created, read-only since) and runs it; the innermost step proceeds with Spring's invocation,
 * cloned for each attempt so a retry can proceed again.
 */
final class BallastMethodInterceptor implements org.aopalliance.intercept.MethodInterceptor {

  private static final MethodInterceptor[] NONE = {};

  private final Class<?> targetType;
  /** Chains by the bean class's method; the methods a proxy reports (interface or bridge) are added as met. */
  private final Map<Method, MethodInterceptor[]> chains;

  BallastMethodInterceptor(Class<?> targetType, Map<Method, MethodInterceptor[]> chains) {
    this.targetType = targetType;
    this.chains = new ConcurrentHashMap<>(chains);
  }

  @Override
  public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
    Method method = invocation.getMethod();
    MethodInterceptor[] chain = chains.computeIfAbsent(method,
        m -> chains.getOrDefault(ClassUtils.getMostSpecificMethod(m, targetType), NONE));
    if (chain.length == 0) {
      return invocation.proceed();
    }
    boolean async = CompletionStage.class.isAssignableFrom(method.getReturnType());
    try {
      return new Step(chain, 0, (ProxyMethodInvocation) invocation, async).proceed();
    } catch (InterruptedException interrupted) {
      if (declares(method, InterruptedException.class)) {
        throw interrupted;
      }
      // As Wrapper's proxies do: keep the interrupt visible instead of an UndeclaredThrowableException.
      Thread.currentThread().interrupt();
      CancellationException cancelled = new CancellationException(method.getDeclaringClass().getSimpleName() + "."
          + method.getName() + " was interrupted while running (the thread's interrupt flag is set again); it does"
          + " not declare InterruptedException");
      cancelled.initCause(interrupted);
      throw cancelled;
    }
  }

  private static boolean declares(Method method, Class<?> type) {
    for (Class<?> declared : method.getExceptionTypes()) {
      if (declared.isAssignableFrom(type)) {
        return true;
      }
    }
    return false;
  }

  /** One position in one call's chain; proceeding makes the next position, so it can be repeated. */
  private record Step(MethodInterceptor[] chain, int index, ProxyMethodInvocation call, boolean async)
      implements Invocation {

    @Override
    public Method method() {
      return call.getMethod();
    }

    @Override
    public @Nullable Object[] arguments() {
      return call.getArguments();
    }

    @Override
    public Object target() {
      return call.getThis();
    }

    @Override
    public boolean isAsync() {
      return async;
    }

    @Override
    public Object proceed() throws Exception {
      if (!async) {
        return step();
      }
      try {
        return step();
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    private Object step() throws Exception {
      if (index < chain.length) {
        return chain[index].invoke(new Step(chain, index + 1, call, async));
      }
      try {
        return call.invocableClone().proceed();
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new UndeclaredThrowableException(t);
      }
    }
  }
}
