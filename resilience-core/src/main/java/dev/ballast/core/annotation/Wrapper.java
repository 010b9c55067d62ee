package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.InterceptorOrder;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import dev.ballast.core.annotation.spi.ReturnTypes;

import dev.ballast.core.Registry;
import dev.ballast.core.internal.Check;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Wraps an implementation of an interface so that its annotated methods run under Ballast's policies:
 * one call, no framework.
 * <pre>{@code
 * interface Catalog {
 *   @Retry("catalog") @CircuitBreaker("catalog")
 *   Product product(String sku);
 * }
 * Catalog catalog = Wrapper.wrap(Catalog.class, new DatabaseCatalog(db), registry);
 * }</pre>
 * Every annotation of every method is resolved when wrapping: an unknown policy name or a fallback that
 * does not fit fails here, naming the method, not at the first call. Methods without annotations call
 * the target directly. Annotations apply in the order {@link InterceptorOrder} fixes, whatever order
 * they are written in. Methods returning a {@link java.util.concurrent.CompletionStage} are wrapped
 * asynchronously. The proxy is thread-safe if the target is.
 *
 * <p><b>Return types that are refused.</b> An annotated method may not return a lazily asynchronous type
 * (a Reactor {@code Mono} or {@code Flux}, any Reactive Streams or {@link java.util.concurrent.Flow.Publisher},
 * RxJava's types, a Kotlin {@code Flow} or {@code Deferred}), be a Kotlin {@code suspend} function, or return a
 * {@link java.util.concurrent.Future} that is not a {@code CompletionStage}: the call only assembles the work,
 * so a policy around it would retry, time or cache the assembly. {@code wrap} refuses such a method, naming
 * the interface and method; return the value or a {@code CompletableFuture} instead ({@code mono.toFuture()}).
 *
 * <p><b>Checked exceptions a method does not declare.</b> A policy can throw a checked exception the
 * interface method does not list, most often an {@link InterruptedException} from a wait (a
 * {@code @RateLimited} limiter with a {@code maxWait}, a retry's backoff). For a synchronous method that
 * does not declare {@code InterruptedException} (or a supertype), the proxy sets the thread's interrupt
 * flag again and throws a {@link java.util.concurrent.CancellationException} naming the method, with the
 * {@code InterruptedException} as its cause; a method that declares it gets the
 * {@code InterruptedException} itself. Any other undeclared checked exception surfaces as the JDK proxy
 * makes it: a {@link java.lang.reflect.UndeclaredThrowableException} whose cause is the exception.
 */
public final class Wrapper {

  private Wrapper() {}

  /**
   * Wraps {@code target} using the annotation handlers of every Ballast module on the class path.
   *
   * @throws IllegalArgumentException if {@code type} is not an interface, an annotation is misconfigured, or an
   *     annotated method returns a type the policies cannot wrap (see above)
   */
  public static <T> T wrap(Class<T> type, T target, Registry registry) {
    List<AnnotationHandler> handlers = new ArrayList<>();
    for (AnnotationHandler.Provider provider : ServiceLoader.load(AnnotationHandler.Provider.class,
        Wrapper.class.getClassLoader())) {
      handlers.addAll(provider.handlers());
    }
    return wrap(type, target, registry, handlers);
  }

  /**
   * Wraps {@code target} with exactly {@code handlers} (for tests, or to leave some out).
   *
   * @throws IllegalArgumentException as {@link #wrap(Class, Object, Registry)}
   */
  public static <T> T wrap(Class<T> type, T target, Registry registry, List<AnnotationHandler> handlers) {
    Check.notNull(type, "type");
    Check.notNull(target, "target");
    Check.notNull(registry, "registry");
    if (!type.isInterface()) {
      throw new IllegalArgumentException(type.getName() + " is not an interface: Wrapper proxies interfaces");
    }
    if (!java.lang.reflect.Modifier.isPublic(type.getModifiers())) {
      // The proxy would be built, but calling the target through reflection would be refused at every call.
      throw new IllegalArgumentException(type.getName() + " is not public: Wrapper can only wrap public interfaces");
    }
    List<AnnotationHandler> ordered = new ArrayList<>(handlers);
    ordered.sort(Comparator.comparingInt(AnnotationHandler::order));
    Map<Method, MethodInterceptor[]> chains = new HashMap<>();
    for (Method method : type.getMethods()) {
      List<MethodInterceptor> chain = new ArrayList<>();
      for (AnnotationHandler handler : ordered) {
        MethodInterceptor interceptor = handler.interceptorFor(method, registry);
        if (interceptor != null) {
          chain.add(interceptor);
        }
      }
      if (!chain.isEmpty()) {
        ReturnTypes.checkWrappable(method);
        chains.put(method, chain.toArray(new MethodInterceptor[0]));
      }
    }
    Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        new WrappedTarget(target, chains));
    return type.cast(proxy);
  }
}
