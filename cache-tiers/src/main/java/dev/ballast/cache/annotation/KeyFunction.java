package dev.ballast.cache.annotation;
import org.jspecify.annotations.Nullable;

/** Turns one call's arguments into its cache key; compiled once per method when wrapping. */
@FunctionalInterface
interface KeyFunction {

  /**
   * @throws NullPointerException naming the parameter and the method if a key part is null
   */
  String key(@Nullable Object[] arguments);
}
