package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;

import dev.ballast.core.Registry;
import dev.ballast.core.Policy;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The handler of every annotation that names a registered {@link Policy}: it looks the policy up at
 * wrap time and runs each call through {@link Policy#call} or {@link Policy#callAsync}.
 */
final class PolicyAnnotationHandler<A extends Annotation> implements AnnotationHandler {

  private final Class<A> annotation;
  private final Function<A, String> policyName;
  private final Class<? extends Policy> policyType;
  private final int order;
  private final BiFunction<A, Policy, Policy> view;

  PolicyAnnotationHandler(Class<A> annotation, Function<A, String> policyName, Class<? extends Policy> policyType,
      int order) {
    this(annotation, policyName, policyType, order, (present, policy) -> policy);
  }

  /**
   * @param view picks the policy the calls run under from the registered one and the annotation (a
   *     concurrency limiter's partition); its {@link IllegalArgumentException} is reported like an unknown name
   */
  PolicyAnnotationHandler(Class<A> annotation, Function<A, String> policyName, Class<? extends Policy> policyType,
      int order, BiFunction<A, Policy, Policy> view) {
    this.annotation = annotation;
    this.policyName = policyName;
    this.policyType = policyType;
    this.order = order;
    this.view = view;
  }

  @Override
  public int order() {
    return order;
  }

  @Override
  public MethodInterceptor interceptorFor(Method method, Registry registry) {
    A present = method.getAnnotation(annotation);
    if (present == null) {
      return null;
    }
    Policy policy;
    try {
      policy = view.apply(present, registry.get(policyName.apply(present), policyType));
    } catch (IllegalArgumentException unknown) {
      String name = policyName.apply(present);
      String hint = dev.ballast.core.config.Configuration.SHIPPED_PRESETS.contains(name)
          ? " ('" + name + "' is a shipped preset: add `extends: " + name + "` to the configuration the registry is"
              + " built from)"
          : "";
      throw new IllegalArgumentException("@" + annotation.getSimpleName() + " on " + describe(method) + ": "
          + unknown.getMessage() + hint, unknown);
    }
    return invocation -> invocation.isAsync()
        ? policy.callAsync(() -> asStage(invocation))
        : policy.call(invocation::proceed);
  }

  @SuppressWarnings("unchecked")
  private static CompletionStage<Object> asStage(Invocation invocation) {
    try {
      return (CompletionStage<Object>) invocation.proceed();
    } catch (Exception cannotHappen) {
      // proceed() of an async invocation reports failures through its stage.
      throw new IllegalStateException(cannotHappen);
    }
  }

  static String describe(Method method) {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName();
  }
}
