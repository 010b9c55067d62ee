package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.CircuitOpenException;
import dev.ballast.core.TimeoutExceededException;
import dev.ballast.core.annotation.CircuitBreaker;
import dev.ballast.core.annotation.Retry;
import dev.ballast.core.annotation.Timeout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Ballast's annotations on Spring beans: on a class (CGLIB proxy) and on an interface the bean implements. */
class BallastAnnotationsPostProcessorTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
      .withPropertyValues(
          "ballast.retries.flaky.maxAttempts=3",
          "ballast.retries.flaky.backoff.initial=1ms", "ballast.retries.flaky.backoff.max=1ms",
          "ballast.retries.flaky.backoff.jitter=none",
          "ballast.circuitBreakers.fragile.minimumCalls=3", "ballast.circuitBreakers.fragile.countWindow=3",
          "ballast.circuitBreakers.fragile.failureRateThreshold=50%", "ballast.circuitBreakers.fragile.openDuration=1h",
          "ballast.timeouts.slow.limit=100ms");

  /** A class bean without an interface: only a subclass proxy can wrap it. */
  public static class ClassService {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch never = new CountDownLatch(1);
    volatile boolean interrupted;

    @Retry("flaky")
    public String flaky() {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("attempt " + calls.get());
      }
      return "ok after " + calls.get();
    }

    @Retry("flaky")
    @CircuitBreaker("fragile")
    public String broken() {
      calls.incrementAndGet();
      throw new IllegalStateException("down");
    }

    @Timeout("slow")
    public String slow() {
      try {
        never.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
        Thread.currentThread().interrupt();
      }
      return "late";
    }

    public String plain() {
      return "plain";
    }

    // Fields of a subclass proxy are its own, not the target's: tests read the target's state through methods.
    public int calls() {
      return calls.get();
    }

    public boolean wasInterrupted() {
      return interrupted;
    }
  }

  /** The annotations sit on the interface; the bean is its implementation. */
  public interface Quotes {
    @Retry("flaky")
    String flaky();

    @CircuitBreaker("fragile")
    String broken();

    @Timeout("slow")
    String slow();
  }

  public static class QuotesImpl implements Quotes {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String flaky() {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("attempt " + calls.get());
      }
      return "ok after " + calls.get();
    }

    @Override
    public String broken() {
      calls.incrementAndGet();
      throw new IllegalStateException("down");
    }

    @Override
    public String slow() {
      try {
        new CountDownLatch(1).await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "late";
    }
  }

  public static class BadName {
    @Retry("no-such-retry")
    public void call() {}
  }

  @Test
  void retryOnAClassBean() {
    runner.withBean(ClassService.class).run(context -> {
      ClassService service = context.getBean(ClassService.class);
      assertThat(AopUtils.isCglibProxy(service)).isTrue();
      assertThat(service.flaky()).isEqualTo("ok after 3");
      assertThat(service.plain()).isEqualTo("plain");
    });
  }

  @Test
  void retryOnAnInterfaceBean() {
    runner.withBean("quotes", Quotes.class, QuotesImpl::new).run(context -> {
      Quotes quotes = context.getBean(Quotes.class);
      assertThat(AopUtils.isAopProxy(quotes)).isTrue();
      assertThat(quotes.flaky()).isEqualTo("ok after 3");
    });
  }

  @Test
  void retryIsOutsideTheCircuitBreakerAsInWrapper() {
    runner.withBean(ClassService.class).run(context -> {
      ClassService service = context.getBean(ClassService.class);
      // The breaker sees each of the retry's three attempts (breaker inside), so it opens after one call.
      assertThatThrownBy(service::broken).isInstanceOf(IllegalStateException.class);
      assertThat(service.calls()).isEqualTo(3);
      assertThatThrownBy(service::broken).isInstanceOf(CircuitOpenException.class);
      assertThat(service.calls()).isEqualTo(3);
    });
  }

  @Test
  void circuitBreakerOnAnInterfaceBean() {
    runner.withBean("quotes", Quotes.class, QuotesImpl::new).run(context -> {
      Quotes quotes = context.getBean(Quotes.class);
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(quotes::broken).isInstanceOf(IllegalStateException.class);
      }
      assertThatThrownBy(quotes::broken).isInstanceOf(CircuitOpenException.class);
    });
  }

  @Test
  void timeoutOnAClassBeanInterruptsTheCall() {
    runner.withBean(ClassService.class).run(context -> {
      ClassService service = context.getBean(ClassService.class);
      assertThatThrownBy(service::slow).isInstanceOf(TimeoutExceededException.class);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
          .until(service::wasInterrupted);
    });
  }

  @Test
  void timeoutOnAnInterfaceBean() {
    runner.withBean("quotes", Quotes.class, QuotesImpl::new).run(context ->
        assertThatThrownBy(context.getBean(Quotes.class)::slow).isInstanceOf(TimeoutExceededException.class));
  }

  @Test
  void aBadAnnotationFailsTheStartNamingTheBeanAndMethod() {
    runner.withBean("badBean", BadName.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasMessageContaining("badBean")
          .hasMessageContaining(BadName.class.getName() + ".call").hasMessageContaining("no-such-retry");
    });
  }

  /** A bean that Spring's caching proxies too: Ballast's retry must sit outside Spring's advice. */
  public static class CachedAndRetried {
    final AtomicInteger calls = new AtomicInteger();

    @Retry("flaky")
    @org.springframework.cache.annotation.Cacheable("answers")
    public String answer(String question) {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("attempt " + calls.get());
      }
      return "42";
    }

    public int calls() {
      return calls.get();
    }
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  @org.springframework.cache.annotation.EnableCaching
  static class Caching {
    @org.springframework.context.annotation.Bean
    org.springframework.cache.CacheManager cacheManager() {
      return new org.springframework.cache.concurrent.ConcurrentMapCacheManager("answers");
    }

    @org.springframework.context.annotation.Bean
    CachedAndRetried cachedAndRetried() {
      return new CachedAndRetried();
    }
  }

  @Test
  void aBeanThatSpringAlreadyProxiesGetsBothItsAdviceAndBallasts() {
    runner.withUserConfiguration(Caching.class).run(context -> {
      CachedAndRetried bean = context.getBean(CachedAndRetried.class);
      assertThat(bean.answer("q")).isEqualTo("42");
      assertThat(bean.answer("q")).isEqualTo("42"); // cached: no fourth call
      assertThat(bean.calls()).isEqualTo(3);
    });
  }

  @Test
  void annotationsCanBeTurnedOff() {
    runner.withPropertyValues("ballast.annotations.enabled=false").withBean(ClassService.class).run(context ->
        assertThat(AopUtils.isAopProxy(context.getBean(ClassService.class))).isFalse());
  }

  /** Lazily asynchronous results, refused at start as {@code Wrapper.wrap} refuses them. */
  public static class ReactiveClass {
    @Retry("flaky")
    public reactor.core.publisher.Mono<String> mono() {
      return reactor.core.publisher.Mono.just("x");
    }
  }

  public interface FluxQuotes {
    @Retry("flaky")
    reactor.core.publisher.Flux<String> quotes();
  }

  public interface FlowQuotes {
    @Timeout("slow")
    java.util.concurrent.Flow.Publisher<String> quotes();
  }

  public static class PlainFuture {
    @Retry("flaky")
    public java.util.concurrent.Future<String> later() {
      return java.util.concurrent.CompletableFuture.completedFuture("x");
    }
  }

  public static class Stage {
    final AtomicInteger calls = new AtomicInteger();

    @Retry("flaky")
    public java.util.concurrent.CompletableFuture<String> later() {
      return calls.incrementAndGet() < 3
          ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("attempt " + calls.get()))
          : java.util.concurrent.CompletableFuture.completedFuture("ok after " + calls.get());
    }
  }

  @Test
  void lazilyAsynchronousReturnTypesFailTheStartNamingBeanMethodAndType() {
    runner.withBean("reactive", ReactiveClass.class).run(context -> assertThat(context.getStartupFailure())
        .hasMessageContaining("'reactive'").hasMessageContaining(ReactiveClass.class.getName() + ".mono")
        .hasMessageContaining("a Reactor Mono"));
    runner.withBean("fluxQuotes", FluxQuotes.class, () -> () -> reactor.core.publisher.Flux.just("a"))
        .run(context -> assertThat(context.getStartupFailure()).hasMessageContaining("'fluxQuotes'")
            .hasMessageContaining(FluxQuotes.class.getName() + ".quotes").hasMessageContaining("a Reactor Flux"));
    runner.withBean("flowQuotes", FlowQuotes.class, () -> () -> subscriber -> { })
        .run(context -> assertThat(context.getStartupFailure()).hasMessageContaining("'flowQuotes'")
            .hasMessageContaining("java.util.concurrent.Flow.Publisher"));
    runner.withBean("plainFuture", PlainFuture.class).run(context -> assertThat(context.getStartupFailure())
        .hasMessageContaining("'plainFuture'").hasMessageContaining("is not a CompletionStage"));
  }

  @Test
  void aCompletionStageIsWrappedAndRetried() {
    runner.withBean(Stage.class).run(context ->
        assertThat(context.getBean(Stage.class).later().get(20, TimeUnit.SECONDS)).isEqualTo("ok after 3"));
  }
}
