package dev.ballast.cache.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What a cached method returns, read once when wrapping: whether it is asynchronous, whether its value
 * is wrapped in an {@link Optional}, and the type of the value the cache stores (a primitive boxed).
 *
 * @param async the method returns a {@code CompletionStage<T>} (or {@code CompletableFuture<T>})
 * @param optional the value (after the stage) is an {@code Optional<T>}: stored unwrapped, empty as absent
 * @param valueType what the cache stores, e.g. {@code Product} or {@code List<Product>}
 */
record ReturnShape(boolean async, boolean optional, Type valueType) {

  /** The shape of a {@link Cached} method. @throws IllegalArgumentException naming the method */
  static ReturnShape ofCached(Site site) {
    Method method = site.method();
    Class<?> raw = method.getReturnType();
    if (raw == void.class || raw == Void.class) {
      throw site.error("returns " + raw.getSimpleName() + ": there is nothing to cache");
    }
    boolean async = CompletionStage.class.isAssignableFrom(raw);
    Type type = method.getGenericReturnType();
    if (async) {
      checkStageType(site, raw);
      type = onlyTypeArgument(site, type, raw);
      if (type == Void.class) {
        throw site.error("returns " + raw.getSimpleName() + "<Void>: there is nothing to cache");
      }
    }
    boolean optional = rawClass(type) == Optional.class;
    if (optional) {
      type = onlyTypeArgument(site, type, Optional.class);
    }
    if (type instanceof Class<?> primitive && primitive.isPrimitive()) {
      type = java.lang.invoke.MethodType.methodType(primitive).wrap().returnType();
    }
    return new ReturnShape(async, optional, type);
  }

  /** The async stage types a cache interceptor can return: it returns a {@link CompletableFuture}. */
  static void checkStageType(Site site, Class<?> raw) {
    if (!raw.isAssignableFrom(CompletableFuture.class)) {
      throw site.error("returns " + raw.getName() + ": an asynchronous method must return CompletionStage or"
          + " CompletableFuture");
    }
  }

  private static Type onlyTypeArgument(Site site, Type type, Class<?> raw) {
    if (!(type instanceof ParameterizedType parameterized) || parameterized.getActualTypeArguments().length != 1) {
      throw site.error("returns a raw " + raw.getSimpleName() + ": give its type argument, as in "
          + raw.getSimpleName() + "<Product>");
    }
    Type argument = parameterized.getActualTypeArguments()[0];
    if (argument instanceof WildcardType wildcard) {
      argument = wildcard.getUpperBounds()[0]; // ? extends Product: the cache stores Products
    }
    return argument;
  }

  private static @Nullable Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> c) {
      return c;
    }
    return null;
  }
}
