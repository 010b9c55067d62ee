package dev.ballast.degradation.annotation;

import dev.ballast.core.Registry;
import dev.ballast.degradation.Switchboard;
import java.lang.reflect.Method;

/** What both handlers do at wrap time: name the method in errors, find the switchboard. */
final class Wiring {

  private Wiring() {}

  /** {@code "Type.method"}, as core's handlers name a method. */
  static String describe(Method method) {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName();
  }

  /** The start of every wrap-time error: {@code "@Write on Orders.place: "}. */
  static String prefix(String annotation, Method method) {
    return "@" + annotation + " on " + describe(method) + ": ";
  }

  /**
   * The switchboard registered as {@code name}.
   *
   * @throws IllegalArgumentException naming the method when there is none
   */
  static Switchboard switchboard(String annotation, Method method, Registry registry, String name) {
    try {
      return registry.get(name, Switchboard.class);
    } catch (IllegalArgumentException missing) {
      throw new IllegalArgumentException(prefix(annotation, method) + missing.getMessage()
          + " (a configuration's 'switchboard' section registers one as 'switchboard')", missing);
    }
  }
}
