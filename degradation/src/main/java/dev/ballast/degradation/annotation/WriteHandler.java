package dev.ballast.degradation.annotation;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.InterceptorOrder;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import dev.ballast.core.annotation.Retry;
import dev.ballast.degradation.ReadOnlyModeException;
import dev.ballast.degradation.Switchboard;
import java.lang.reflect.Method;

/**
 * Handles {@link Write}: refuses non-idempotent writes that would be retried at wrap time, and every
 * write in read-only mode at call time. It sits outside {@code @Retry} ({@link InterceptorOrder}), so a
 * refused write is never retried and spends nothing.
 */
final class WriteHandler implements AnnotationHandler {

  @Override
  public int order() {
    return InterceptorOrder.WRITE_GUARD;
  }

  @Override
  public @Nullable MethodInterceptor interceptorFor(Method method, Registry registry) {
    Write write = method.getAnnotation(Write.class);
    if (write == null) {
      return null;
    }
    Switchboard board = Wiring.switchboard("Write", method, registry, write.switchboard());
    if (!write.idempotent()) {
      checkNotRetried(method, registry);
    }
    String operation = write.value().isEmpty() ? Wiring.describe(method) : write.value();
    return new Guard(board, operation);
  }

  /**
   * A retry that makes one attempt (the write-critical preset's) repeats nothing and is allowed; an
   * unknown retry name is left for the {@code @Retry} handler to report.
   */
  private static void checkNotRetried(Method method, Registry registry) {
    Retry retry = method.getAnnotation(Retry.class);
    if (retry == null || !registry.namesOf(dev.ballast.core.Retry.class).contains(retry.value())) {
      return;
    }
    int attempts = registry.get(retry.value(), dev.ballast.core.Retry.class).config().maxAttempts();
    if (attempts > 1) {
      throw new IllegalArgumentException(Wiring.prefix("Write", method)
          + "retrying a non-idempotent write may apply it twice (@Retry(\"" + retry.value() + "\") makes up to "
          + attempts + " attempts); mark it @Write(idempotent = true) if it is safe");
    }
  }

  /** The per-call check: one volatile read while writes are allowed. */
  private record Guard(Switchboard board, String operation) implements MethodInterceptor {

    @Override
    public Object invoke(Invocation invocation) throws Exception {
      try {
        board.guardWrite(operation);
      } catch (ReadOnlyModeException refused) {
        return invocation.fail(refused);
      }
      return invocation.proceed();
    }
  }
}
