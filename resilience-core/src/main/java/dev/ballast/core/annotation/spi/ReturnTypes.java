package dev.ballast.core.annotation.spi;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Refuses, at wrap time, methods whose result the interceptors cannot see through. A policy measures the
 * call, so it must run around the work: for a lazily asynchronous type (a Reactor {@code Mono}, any
 * {@code Publisher}, a Kotlin {@code suspend} function) the call only assembles the work and returns at
 * once, so a retry would make one attempt and a cache would store the assembly; a plain {@link Future}
 * offers no completion callback to wait on without blocking. Types are recognised by name, so no reactive
 * library needs to be on the class path.
 *
 * <p>{@link dev.ballast.core.annotation.Wrapper#wrap} runs this check on every annotated method; another
 * integration that applies the handlers (the Spring Boot starter) runs it too, so both refuse the same methods
 * with the same message.
 */
public final class ReturnTypes {

  /** Lazily asynchronous types, by class name, with what to use instead. */
  private static final Map<String, String> LAZY = Map.ofEntries(
      Map.entry("org.reactivestreams.Publisher", "a Reactive Streams Publisher"),
      Map.entry("java.util.concurrent.Flow$Publisher", "a java.util.concurrent.Flow.Publisher"),
      Map.entry("reactor.core.publisher.Mono", "a Reactor Mono"),
      Map.entry("reactor.core.publisher.Flux", "a Reactor Flux"),
      Map.entry("io.reactivex.rxjava3.core.Single", "an RxJava Single"),
      Map.entry("io.reactivex.rxjava3.core.Maybe", "an RxJava Maybe"),
      Map.entry("io.reactivex.rxjava3.core.Completable", "an RxJava Completable"),
      Map.entry("io.reactivex.rxjava3.core.Observable", "an RxJava Observable"),
      Map.entry("kotlinx.coroutines.flow.Flow", "a Kotlin Flow"),
      Map.entry("kotlinx.coroutines.Deferred", "a Kotlin Deferred"));

  private static final String CONTINUATION = "kotlin.coroutines.Continuation";

  private ReturnTypes() {}

  /**
   * Checks that the interceptors of {@code method} can wrap its calls.
   *
   * @param method an annotated method
   * @throws IllegalArgumentException naming the declaring type, the method and its return type
   */
  public static void checkWrappable(Method method) {
    Class<?>[] parameters = method.getParameterTypes();
    if (parameters.length > 0 && parameters[parameters.length - 1].getName().equals(CONTINUATION)) {
      throw refused(method, "is a Kotlin suspend function", "declare a non-suspending function returning a"
          + " value or a CompletableFuture (for example with kotlinx-coroutines-jdk8's future { ... })");
    }
    Class<?> type = method.getReturnType();
    String lazy = lazyKind(type);
    if (lazy != null) {
      throw refused(method, "returns " + lazy + " (" + type.getName() + "), which runs only when subscribed",
          "return the value, or a CompletionStage/CompletableFuture (Reactor: mono.toFuture())");
    }
    if (Future.class.isAssignableFrom(type) && !CompletionStage.class.isAssignableFrom(type)) {
      throw refused(method, "returns a " + type.getName() + " that is not a CompletionStage, so its completion"
          + " cannot be observed without blocking", "return a CompletableFuture or another CompletionStage");
    }
  }

  /** The kind of lazily asynchronous type {@code type} is or extends, or null. */
  private static String lazyKind(Class<?> type) {
    Deque<Class<?>> pending = new ArrayDeque<>();
    Set<Class<?>> seen = new HashSet<>();
    pending.add(type);
    while (!pending.isEmpty()) {
      Class<?> next = pending.poll();
      if (!seen.add(next)) {
        continue;
      }
      String kind = LAZY.get(next.getName());
      if (kind != null) {
        return kind;
      }
      if (next.getSuperclass() != null) {
        pending.add(next.getSuperclass());
      }
      pending.addAll(java.util.List.of(next.getInterfaces()));
    }
    return null;
  }

  private static IllegalArgumentException refused(Method method, String what, String instead) {
    return new IllegalArgumentException(method.getDeclaringClass().getName() + "." + method.getName() + " " + what
        + ": Ballast's annotations would act on the call that assembles the work, not on the work itself"
        + " (a retry would make one attempt, a cache would store the unrun result). Remove the annotations or "
        + instead + ".");
  }
}
