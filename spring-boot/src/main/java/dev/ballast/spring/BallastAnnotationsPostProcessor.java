package dev.ballast.spring;

import dev.ballast.core.Registry;
import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import dev.ballast.core.annotation.spi.ReturnTypes;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Applies Ballast's annotations to Spring beans, on classes as well as on the interfaces they implement, through
 * the same {@link AnnotationHandler}s (found with {@link ServiceLoader}, as {@code Wrapper.wrap} finds them) in the
 * same fixed order. A bean with at least one annotated method is replaced by a Spring AOP proxy (CGLIB, so class
 * beans work; interface-only proxies for final classes) whose advice runs the handlers' interceptors. Every
 * annotation is resolved when the bean is created: a bad one fails the context start naming the bean and method.
 *
 * <p>As with any Spring AOP proxy, a call from inside the bean to its own method ({@code this.load()}) does not
 * pass through the proxy, so it runs without the policies.
 */
public final class BallastAnnotationsPostProcessor implements BeanPostProcessor {

  private static final String BALLAST_PACKAGE = "dev.ballast.";

  private final ObjectProvider<Registry> registry;
  private final List<AnnotationHandler> handlers;

  BallastAnnotationsPostProcessor(ObjectProvider<Registry> registry) {
    this.registry = registry;
    List<AnnotationHandler> found = new ArrayList<>();
    for (AnnotationHandler.Provider provider : ServiceLoader.load(AnnotationHandler.Provider.class,
        AnnotationHandler.class.getClassLoader())) {
      found.addAll(provider.handlers());
    }
    found.sort(Comparator.comparingInt(AnnotationHandler::order));
    this.handlers = List.copyOf(found);
  }

  /**
   * Wraps {@code bean} if any of its methods carries a Ballast annotation.
   *
   * @throws BeanCreationException naming the bean and the method if an annotation is misconfigured
   */
  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
    Class<?> type = AopUtils.getTargetClass(bean);
    if (type.getName().startsWith("org.springframework.") || bean instanceof Registry) {
      return bean; // the framework's own beans carry no Ballast annotations; skipping them keeps start-up cheap
    }
    Map<Method, MethodInterceptor[]> chains = new HashMap<>();
    Registry components = null;
    for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
      if (Modifier.isStatic(method.getModifiers()) || !Modifier.isPublic(method.getModifiers())) {
        continue;
      }
      for (Method annotated : annotatedCandidates(type, method)) {
        if (!hasBallastAnnotation(annotated)) {
          continue;
        }
        if (components == null) {
          components = registry.getObject();
        }
        MethodInterceptor[] chain = chainFor(annotated, components, beanName);
        if (chain.length > 0) {
          chains.put(method, chain);
          break; // the class's own annotations win over its interfaces'
        }
      }
    }
    if (chains.isEmpty()) {
      return bean;
    }
    BallastMethodInterceptor advice = new BallastMethodInterceptor(type, chains);
    if (bean instanceof Advised advised && !advised.isFrozen()) {
      // Already a Spring proxy (@Transactional, @Cacheable, ...): Ballast's policies go outermost, so each
      // retry runs the inner advice anew (a new transaction per attempt).
      advised.addAdvice(0, advice);
      return bean;
    }
    ProxyFactory proxy = new ProxyFactory(bean);
    proxy.setProxyTargetClass(!Modifier.isFinal(type.getModifiers()));
    proxy.setInterfaces(ClassUtils.getAllInterfacesForClass(type));
    proxy.addAdvice(advice);
    return proxy.getProxy(ClassUtils.getDefaultClassLoader());
  }

  private MethodInterceptor[] chainFor(Method method, Registry components, String beanName) {
    List<MethodInterceptor> chain = new ArrayList<>();
    for (AnnotationHandler handler : handlers) {
      MethodInterceptor interceptor;
      try {
        interceptor = handler.interceptorFor(method, components);
      } catch (RuntimeException e) {
        throw refused(method, beanName, e);
      }
      if (interceptor != null) {
        chain.add(interceptor);
      }
    }
    if (!chain.isEmpty()) {
      try {
        // As Wrapper.wrap: a lazily asynchronous result (Mono, Publisher, a plain Future) would escape the policies.
        ReturnTypes.checkWrappable(method);
      } catch (IllegalArgumentException e) {
        throw refused(method, beanName, e);
      }
    }
    return chain.toArray(new MethodInterceptor[0]);
  }

  private static BeanCreationException refused(Method method, String beanName, RuntimeException cause) {
    return new BeanCreationException(beanName, "Ballast annotation on " + method.getDeclaringClass().getName()
        + "." + method.getName() + " of bean '" + beanName + "': " + cause.getMessage(), cause);
  }

  /** The class's method first, then the same method as each interface declares it. */
  private static List<Method> annotatedCandidates(Class<?> type, Method method) {
    List<Method> candidates = new ArrayList<>();
    candidates.add(method);
    for (Class<?> iface : ClassUtils.getAllInterfacesForClassAsSet(type)) {
      Method declared = ReflectionUtils.findMethod(iface, method.getName(), method.getParameterTypes());
      if (declared != null) {
        candidates.add(declared);
      }
    }
    return candidates;
  }

  /**
   * A cheap filter before the handlers run, which also keeps the registry from being looked up for beans it
   * does not concern (the configuration class that creates it among them): only Ballast's annotations count.
   */
  private static boolean hasBallastAnnotation(Method method) {
    for (java.lang.annotation.Annotation annotation : method.getAnnotations()) {
      if (annotation.annotationType().getName().startsWith(BALLAST_PACKAGE)) {
        return true;
      }
    }
    for (java.lang.annotation.Annotation[] parameter : method.getParameterAnnotations()) {
      for (java.lang.annotation.Annotation annotation : parameter) {
        if (annotation.annotationType().getName().startsWith(BALLAST_PACKAGE)) {
          return true;
        }
      }
    }
    return false;
  }
}
