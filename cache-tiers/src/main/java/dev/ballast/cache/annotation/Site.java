package dev.ballast.cache.annotation;

import java.lang.reflect.Method;

/** One annotated method, for messages: {@code "@Cached on Storefront.product: ..."}. */
record Site(String annotation, Method method) {

  /** {@code "Storefront.product"}. */
  String methodName() {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName();
  }

  /** A wrap-time error about this method. */
  IllegalArgumentException error(String problem) {
    return new IllegalArgumentException(prefix() + problem);
  }

  /** A wrap-time error about this method, with the cause that explains it. */
  IllegalArgumentException error(String problem, Throwable cause) {
    return new IllegalArgumentException(prefix() + problem, cause);
  }

  String prefix() {
    return "@" + annotation + " on " + methodName() + ": ";
  }
}
