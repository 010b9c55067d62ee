package dev.ballast.core.annotation;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.core.annotation.spi.InterceptorOrder;

import dev.ballast.core.Registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.Backoff;
import dev.ballast.core.CallRejectedException;
import dev.ballast.core.CircuitOpenException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WrapperTest {

  public interface Pricing {
    // Written in scrambled order on purpose: the order of application is InterceptorOrder's.
    @Timeout("pricing")
    @RateLimited("pricing")
    @Fallback("cachedPrice")
    @CircuitBreaker("pricing")
    @Retry("pricing")
    String price(String sku) throws IOException;

    String cachedPrice(String sku, Exception failure);

    @Retry("pricing")
    @Fallback("cachedPriceAsync")
    CompletionStage<String> priceAsync(String sku);

    CompletionStage<String> cachedPriceAsync(String sku, Throwable failure);

    String plain(String sku);
  }

  /** Fails the first {@code failures} calls of each method, then answers. */
  static final class FlakyPricing implements Pricing {
    final AtomicInteger calls = new AtomicInteger();
    final List<Exception> fallbackSaw = new ArrayList<>();
    volatile int failures;

    @Override
    public String price(String sku) throws IOException {
      if (calls.incrementAndGet() <= failures) {
        throw new IOException("attempt " + calls.get());
      }
      return "42 for " + sku;
    }

    @Override
    public String cachedPrice(String sku, Exception failure) {
      fallbackSaw.add(failure);
      return "cached for " + sku;
    }

    @Override
    public CompletionStage<String> priceAsync(String sku) {
      return calls.incrementAndGet() <= failures
          ? CompletableFuture.failedFuture(new IOException("async attempt " + calls.get()))
          : CompletableFuture.completedFuture("async 42 for " + sku);
    }

    @Override
    public CompletionStage<String> cachedPriceAsync(String sku, Throwable failure) {
      return CompletableFuture.completedFuture("async cached after " + failure.getMessage());
    }

    @Override
    public String plain(String sku) {
      return "plain " + sku;
    }
  }

  private final ManualTicker now = new ManualTicker();
  private final dev.ballast.core.RateLimiter limiter = dev.ballast.core.RateLimiter.builder().name("pricing")
      .capacity(10).refill(1, Duration.ofHours(1)).ticker(now::read).build();
  private final dev.ballast.core.CircuitBreaker breaker = dev.ballast.core.CircuitBreaker.builder()
      .name("pricing").countWindow(10).ticker(now::read).build();
  private final Registry registry = Registry.builder()
      .add("pricing", dev.ballast.core.Retry.builder().maxAttempts(3)
          .backoff(Backoff.fixed(Duration.ofMillis(1))).sleeper(nanos -> now.advanceNanos(nanos)).ticker(now::read)
          .build())
      .add("pricing", breaker)
      .add("pricing", limiter)
      .add("pricing", dev.ballast.core.Timeout.of(Duration.ofSeconds(30)))
      .build();
  private final FlakyPricing target = new FlakyPricing();
  private final Pricing pricing = Wrapper.wrap(Pricing.class, target, registry);

  @Test
  void everyRetryAttemptTakesAPermitAndTheFallbackSeesTheFinalFailure() throws Exception {
    target.failures = 5;
    assertThat(pricing.price("sku-1")).isEqualTo("cached for sku-1");
    assertThat(target.calls).hasValue(3);
    assertThat(limiter.availablePermits()).isEqualTo(7);
    assertThat(target.fallbackSaw).singleElement().extracting(Throwable::getMessage).isEqualTo("attempt 3");
  }

  @Test
  void anOpenBreakerSpendsNoPermitAndGoesToTheFallback() throws Exception {
    breaker.forceOpen();
    assertThat(pricing.price("sku-2")).isEqualTo("cached for sku-2");
    assertThat(target.calls).hasValue(0);
    assertThat(limiter.availablePermits()).isEqualTo(10);
    assertThat(target.fallbackSaw).singleElement().isInstanceOf(CircuitOpenException.class);
  }

  @Test
  void successfulCallsPassThrough() throws Exception {
    assertThat(pricing.price("sku-3")).isEqualTo("42 for sku-3");
    assertThat(pricing.plain("sku-4")).isEqualTo("plain sku-4");
    assertThat(limiter.availablePermits()).isEqualTo(9);
  }

  @Test
  void asyncMethodsAreRetriedAndDegradedAsynchronously() throws Exception {
    target.failures = 1;
    assertThat(pricing.priceAsync("a").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("async 42 for a");
    target.calls.set(0);
    target.failures = 10;
    assertThat(pricing.priceAsync("b").toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isEqualTo("async cached after async attempt 3");
  }

  @Test
  void theServiceLoaderFindsTheCoreHandlers() {
    assertThat(ServiceLoaderCheck.coreHandlersFound()).isTrue();
  }

  public interface UnknownPolicy {
    @Retry("nope")
    String call();
  }

  public interface PresetNotExtended {
    @Retry("external-api")
    String call();
  }

  @Test
  void aPolicyNamedAfterAPresetTheConfigurationDoesNotExtendSaysHowToGetIt() {
    assertThatThrownBy(() -> Wrapper.wrap(PresetNotExtended.class, () -> "x", registry))
        .hasMessageContaining("@Retry on PresetNotExtended.call")
        .hasMessageContaining("'external-api' is a shipped preset: add `extends: external-api`");
  }

  public interface BadFallback {
    @Fallback("other")
    String call(String id);

    Integer other(String id);
  }

  @Test
  void misconfigurationFailsAtWrapTimeNamingTheMethod() {
    assertThatThrownBy(() -> Wrapper.wrap(UnknownPolicy.class, () -> "x", registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@Retry on UnknownPolicy.call")
        .hasMessageContaining("'nope'")
        .hasMessageContaining("[pricing]");
    assertThatThrownBy(() -> Wrapper.wrap(BadFallback.class, new BadFallback() {
      @Override
      public String call(String id) {
        return id;
      }

      @Override
      public Integer other(String id) {
        return 1;
      }
    }, registry)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@Fallback on BadFallback.call")
        .hasMessageContaining("other(String) or other(String, Throwable) returning String");
    assertThatThrownBy(() -> Wrapper.wrap(FlakyPricing.class, target, registry))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not an interface");
    assertThatThrownBy(() -> Wrapper.wrap(Hidden.class, () -> "x", registry))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not public");
  }

  interface Hidden {
    String call();
  }

  public interface Narrow {
    @Fallback("onRejection")
    String call() throws IOException;

    String onRejection(CallRejectedException rejection);
  }

  @Test
  void aFallbackForNarrowerFailuresLetsOthersThrough() {
    Narrow narrow = Wrapper.wrap(Narrow.class, new Narrow() {
      @Override
      public String call() throws IOException {
        throw new IOException("not a rejection");
      }

      @Override
      public String onRejection(CallRejectedException rejection) {
        return "rejected";
      }
    }, registry);
    assertThatThrownBy(narrow::call).isInstanceOf(IOException.class).hasMessage("not a rejection");
  }

  @Test
  void registryRefusesTwoComponentsOfOneKindUnderOneName() {
    assertThatThrownBy(() -> Registry.builder().add("a", limiter).add("a", limiter))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("named 'a'");
  }
}
