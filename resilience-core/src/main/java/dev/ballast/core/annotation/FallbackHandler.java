package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.InterceptorOrder;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;

import dev.ballast.core.Registry;
import dev.ballast.core.internal.Futures;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Handles {@link Fallback}: finds the fallback method at wrap time, calls it on failure. */
final class FallbackHandler implements AnnotationHandler {

  @Override
  public int order() {
    return InterceptorOrder.FALLBACK;
  }

  @Override
  public MethodInterceptor interceptorFor(Method method, Registry registry) {
    Fallback annotation = method.getAnnotation(Fallback.class);
    if (annotation == null) {
      return null;
    }
    Method fallback = findFallback(method, annotation.value());
    boolean takesFailure = fallback.getParameterCount() > method.getParameterCount();
    return invocation -> {
      if (!invocation.isAsync()) {
        try {
          return invocation.proceed();
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt(); // an interrupt is a request to stop, not a failure to hide
          throw interrupted;
        } catch (Exception failure) {
          return callFallback(invocation, fallback, takesFailure, failure);
        }
      }
      @SuppressWarnings("unchecked")
      CompletionStage<Object> stage = (CompletionStage<Object>) invocation.proceed();
      return stage.handle((value, error) -> {
        if (error == null) {
          return CompletableFuture.completedFuture(value);
        }
        return Futures.start(() -> {
          try {
            @SuppressWarnings("unchecked")
            CompletionStage<Object> replacement = (CompletionStage<Object>) callFallback(
                invocation, fallback, takesFailure, Futures.unwrap(error));
            return replacement;
          } catch (Exception fallbackFailure) {
            return CompletableFuture.failedFuture(fallbackFailure);
          }
        });
      }).thenCompose(replacement -> replacement);
    };
  }

  private static Object callFallback(Invocation invocation, Method fallback, boolean takesFailure, Throwable failure)
      throws Exception {
    Object[] arguments = invocation.arguments();
    if (takesFailure) {
      Class<?> failureType = fallback.getParameterTypes()[arguments.length];
      if (!failureType.isInstance(failure)) {
        // The fallback only handles some failures: the others propagate unchanged.
        if (failure instanceof Exception exception) {
          throw exception;
        }
        throw (Error) failure;
      }
      arguments = Arrays.copyOf(arguments, arguments.length + 1);
      arguments[arguments.length - 1] = failure;
    }
    return WrappedTarget.callTarget(invocation.target(), fallback, arguments);
  }

  private static Method findFallback(Method method, String name) {
    Class<?>[] parameters = method.getParameterTypes();
    for (Method candidate : method.getDeclaringClass().getMethods()) {
      if (!candidate.getName().equals(name) || candidate.equals(method)) {
        continue;
      }
      Class<?>[] candidateParameters = candidate.getParameterTypes();
      boolean sameParameters = Arrays.equals(candidateParameters, parameters);
      boolean plusFailure = candidateParameters.length == parameters.length + 1
          && Arrays.equals(Arrays.copyOf(candidateParameters, parameters.length), parameters)
          && Throwable.class.isAssignableFrom(candidateParameters[parameters.length]);
      if ((sameParameters || plusFailure) && method.getReturnType().isAssignableFrom(candidate.getReturnType())) {
        return candidate;
      }
    }
    String signature = Arrays.stream(parameters).map(Class::getSimpleName).reduce((a, b) -> a + ", " + b).orElse("");
    throw new IllegalArgumentException("@Fallback on " + PolicyAnnotationHandler.describe(method)
        + ": no fallback method " + name + "(" + signature + ") or " + name + "(" + signature
        + (signature.isEmpty() ? "" : ", ") + "Throwable) returning " + method.getReturnType().getSimpleName()
        + " on " + method.getDeclaringClass().getSimpleName());
  }
}
