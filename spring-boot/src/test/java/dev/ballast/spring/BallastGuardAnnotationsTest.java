package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.AdaptiveThrottle;
import dev.ballast.core.BulkheadFullException;
import dev.ballast.core.ConcurrencyLimitExceededException;
import dev.ballast.core.RateLimitExceededException;
import dev.ballast.core.Registry;
import dev.ballast.core.ThrottledException;
import dev.ballast.core.annotation.Bulkhead;
import dev.ballast.core.annotation.ConcurrencyLimit;
import dev.ballast.core.annotation.Fallback;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.core.annotation.Throttled;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The admission and fallback annotations ({@code @RateLimited}, {@code @Bulkhead}, {@code @ConcurrencyLimit},
 * {@code @Throttled}, {@code @Fallback}) on a class bean and on an interface bean; no Redis is involved (the fleet
 * rate limiter is in {@link BallastRedisAnnotationsTest}).
 */
class BallastGuardAnnotationsTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
      .withPropertyValues(
          "ballast.rateLimiters.tight.rate=1/min burst 2",
          "ballast.bulkheads.single.maxConcurrentCalls=1",
          "ballast.concurrencyLimits.db.algorithm=aimd", "ballast.concurrencyLimits.db.latencyThreshold=1h",
          "ballast.concurrencyLimits.db.initialLimit=1", "ballast.concurrencyLimits.db.minLimit=1",
          "ballast.concurrencyLimits.db.maxLimit=1",
          "ballast.throttles.geo.k=1");

  /** The guarded calls, declared once for both kinds of bean. */
  public interface Guarded {
    String limited();

    String isolated(CountDownLatch entered, CountDownLatch release) throws InterruptedException;

    String bounded(CountDownLatch entered, CountDownLatch release) throws InterruptedException;

    String throttled() throws IOException;

    String price(String sku);

    String cachedPrice(String sku, Exception failure);
  }

  /** A class bean: the annotations on its own methods (its interface carries none). */
  public static class ClassGuarded implements Guarded {
    @Override
    @RateLimited("tight")
    public String limited() {
      return "ok";
    }

    @Override
    @Bulkhead("single")
    public String isolated(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
      return hold(entered, release);
    }

    @Override
    @ConcurrencyLimit("db")
    public String bounded(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
      return hold(entered, release);
    }

    @Override
    @Throttled("geo")
    public String throttled() throws IOException {
      throw new IOException("429 from the geocoder");
    }

    @Override
    @Fallback("cachedPrice")
    public String price(String sku) {
      throw new IllegalStateException("pricing is down");
    }

    @Override
    public String cachedPrice(String sku, Exception failure) {
      return "cached " + sku + " (" + failure.getMessage() + ")";
    }
  }

  /** A class without an interface, as most Spring services are. */
  public static class NoInterface {
    @RateLimited("tight")
    public String limited() {
      return "ok";
    }

    @Fallback("cachedPrice")
    public String price(String sku) {
      throw new IllegalStateException("pricing is down");
    }

    public String cachedPrice(String sku) {
      return "cached " + sku;
    }
  }

  /** The annotations on the interface; the implementation carries none. */
  public interface AnnotatedGuarded extends Guarded {
    @Override
    @RateLimited("tight")
    String limited();

    @Override
    @Bulkhead("single")
    String isolated(CountDownLatch entered, CountDownLatch release) throws InterruptedException;

    @Override
    @ConcurrencyLimit("db")
    String bounded(CountDownLatch entered, CountDownLatch release) throws InterruptedException;

    @Override
    @Throttled("geo")
    String throttled() throws IOException;

    @Override
    @Fallback("cachedPrice")
    String price(String sku);
  }

  public static class PlainGuarded implements AnnotatedGuarded {
    @Override
    public String limited() {
      return "ok";
    }

    @Override
    public String isolated(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
      return hold(entered, release);
    }

    @Override
    public String bounded(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
      return hold(entered, release);
    }

    @Override
    public String throttled() throws IOException {
      throw new IOException("429 from the geocoder");
    }

    @Override
    public String price(String sku) {
      throw new IllegalStateException("pricing is down");
    }

    @Override
    public String cachedPrice(String sku, Exception failure) {
      return "cached " + sku + " (" + failure.getMessage() + ")";
    }
  }

  static String hold(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
    entered.countDown();
    if (!release.await(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("never released");
    }
    return "done";
  }

  @Test
  void onAClassBean() {
    runner.withBean("guarded", ClassGuarded.class).run(context -> {
      Guarded bean = context.getBean(Guarded.class);
      assertThat(AopUtils.isCglibProxy(bean)).isTrue();
      checkAll(bean, context.getBean(Registry.class));
    });
  }

  @Test
  void onAnInterfaceBean() {
    runner.withBean("guarded", AnnotatedGuarded.class, PlainGuarded::new).run(context -> {
      Guarded bean = context.getBean(AnnotatedGuarded.class);
      assertThat(AopUtils.isAopProxy(bean)).isTrue();
      checkAll(bean, context.getBean(Registry.class));
    });
  }

  @Test
  void onAClassWithoutAnInterface() {
    runner.withBean(NoInterface.class).run(context -> {
      NoInterface bean = context.getBean(NoInterface.class);
      assertThat(bean.price("sku-1")).isEqualTo("cached sku-1");
      assertThat(bean.limited()).isEqualTo("ok");
      assertThat(bean.limited()).isEqualTo("ok");
      assertThatThrownBy(bean::limited).isInstanceOf(RateLimitExceededException.class);
    });
  }

  @Test
  void aFallbackThatDoesNotExistFailsTheStart() {
    runner.withBean("badFallback", BadFallback.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasMessageContaining("badFallback")
          .hasMessageContaining(BadFallback.class.getName() + ".price").hasMessageContaining("nowhere");
    });
  }

  public static class BadFallback {
    @Fallback("nowhere")
    public String price(String sku) {
      return sku;
    }
  }

  private static void checkAll(Guarded bean, Registry registry) throws Exception {
    // @RateLimited: a burst of 2, refilled once a minute.
    assertThat(bean.limited()).isEqualTo("ok");
    assertThat(bean.limited()).isEqualTo("ok");
    assertThatThrownBy(bean::limited).isInstanceOf(RateLimitExceededException.class);

    // @Bulkhead and @ConcurrencyLimit: one call at a time, the second refused while the first runs.
    secondCallRefused(bean::isolated, BulkheadFullException.class);
    secondCallRefused(bean::bounded, ConcurrencyLimitExceededException.class);

    // @Throttled: every call is rejected by the "dependency" (an IOException), so the throttle starts refusing.
    AdaptiveThrottle throttle = registry.get("geo", AdaptiveThrottle.class);
    boolean refused = false;
    for (int i = 0; i < 1000 && !refused; i++) {
      try {
        bean.throttled();
      } catch (ThrottledException e) {
        refused = true;
      } catch (IOException dependencyRefused) {
        // counted as a rejection by the throttle
      }
    }
    assertThat(refused).as("the throttle refused a call locally").isTrue();
    assertThat(throttle.rejectionProbability()).isGreaterThan(0.5);

    // @Fallback: the failure goes to the named method with the exception.
    assertThat(bean.price("sku-1")).isEqualTo("cached sku-1 (pricing is down)");
  }

  @FunctionalInterface
  interface HoldingCall {
    String call(CountDownLatch entered, CountDownLatch release) throws Exception;
  }

  private static void secondCallRefused(HoldingCall call, Class<? extends Throwable> refusal) throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> first = pool.submit(() -> call.call(entered, release));
      assertThat(entered.await(20, TimeUnit.SECONDS)).as("the first call started").isTrue();
      assertThatThrownBy(() -> call.call(new CountDownLatch(1), new CountDownLatch(0))).isInstanceOf(refusal);
      release.countDown();
      assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo("done");
      assertThat(call.call(new CountDownLatch(1), new CountDownLatch(0))).as("the slot was given back")
          .isEqualTo("done");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }
}
