package dev.ballast.degradation.annotation;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.InterceptorOrder;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import dev.ballast.degradation.FeatureDisabledException;
import dev.ballast.degradation.Switch;
import dev.ballast.degradation.Switchboard;
import java.lang.reflect.Method;

/** Handles {@link Feature}: checks the feature at wrap time, refuses calls while it is off. */
final class FeatureHandler implements AnnotationHandler {

  @Override
  public int order() {
    return InterceptorOrder.FEATURE;
  }

  @Override
  public @Nullable MethodInterceptor interceptorFor(Method method, Registry registry) {
    Feature feature = method.getAnnotation(Feature.class);
    if (feature == null) {
      return null;
    }
    Switchboard board = Wiring.switchboard("Feature", method, registry, feature.switchboard());
    try {
      board.feature(feature.value()); // an undeclared or malformed name throws, suggesting the closest
    } catch (IllegalArgumentException unknown) {
      throw new IllegalArgumentException(Wiring.prefix("Feature", method) + unknown.getMessage(), unknown);
    }
    return new Guard(board, feature.value());
  }

  /** The per-call check: one volatile read and one hash lookup while the feature is on. */
  private record Guard(Switchboard board, String feature) implements MethodInterceptor {

    @Override
    public Object invoke(Invocation invocation) throws Exception {
      if (board.isFeatureEnabled(feature)) {
        return invocation.proceed();
      }
      // Read the switch once more for the message; if it came back on meanwhile, the call may go ahead.
      Switch current = board.feature(feature);
      if (current.on()) {
        return invocation.proceed();
      }
      return invocation.fail(new FeatureDisabledException(board.name(), current));
    }
  }
}
