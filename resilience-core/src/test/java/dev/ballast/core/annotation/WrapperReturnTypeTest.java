package dev.ballast.core.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.Registry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import kotlin.coroutines.Continuation;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Methods whose call only assembles lazily asynchronous work are refused at wrap time, whichever
 * annotation they carry: a policy around the assembly would retry, time or cache nothing. The reactive
 * types here are test stand-ins with the real names (Ballast detects them by name).
 */
class WrapperReturnTypeTest {

  private final Registry registry = Registry.builder()
      .add("p", dev.ballast.core.Retry.builder().maxAttempts(3).build())
      .add("p", dev.ballast.core.CircuitBreaker.builder().name("p").build())
      .add("p", dev.ballast.core.Timeout.of(Duration.ofSeconds(1)))
      .add("p", dev.ballast.core.RateLimiter.builder().name("p").capacity(10).refill(10, Duration.ofSeconds(1))
          .build())
      .build();

  public interface RetriedMono {
    @Retry("p")
    Mono<String> price(String sku);
  }

  public interface BrokenFlux {
    @CircuitBreaker("p")
    Flux<String> prices();
  }

  public interface TimedPublisher {
    @Timeout("p")
    Publisher<String> prices();
  }

  public interface LimitedFlowPublisher {
    @RateLimited("p")
    Flow.Publisher<String> prices();
  }

  public interface SuspendingClient {
    @Retry("p")
    Object price(String sku, Continuation<? super String> continuation);
  }

  public interface FallbackFuture {
    @Fallback("cached")
    Future<String> price(String sku);

    Future<String> cached(String sku);
  }

  public interface FutureTaskClient {
    @Timeout("p")
    FutureTask<String> price(String sku);
  }

  /** Unannotated methods may return anything: the proxy passes them through. */
  public interface Mixed {
    Mono<String> lazy(String sku);

    Future<String> future(String sku);

    @Retry("p")
    CompletableFuture<String> eager(String sku);
  }

  @Test
  void aMonoIsRefusedNamingTheInterfaceAndMethod() {
    assertThatThrownBy(() -> Wrapper.wrap(RetriedMono.class, sku -> null, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(RetriedMono.class.getName() + ".price")
        .hasMessageContaining("Reactor Mono")
        .hasMessageContaining("CompletableFuture");
  }

  @Test
  void aFluxUnderABreakerIsRefused() {
    assertThatThrownBy(() -> Wrapper.wrap(BrokenFlux.class, () -> null, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(BrokenFlux.class.getName() + ".prices")
        .hasMessageContaining("Reactor Flux");
  }

  @Test
  void anyReactiveStreamsPublisherUnderATimeoutIsRefused() {
    assertThatThrownBy(() -> Wrapper.wrap(TimedPublisher.class, () -> null, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(TimedPublisher.class.getName() + ".prices")
        .hasMessageContaining("Reactive Streams Publisher");
  }

  @Test
  void aFlowPublisherUnderARateLimitIsRefused() {
    assertThatThrownBy(() -> Wrapper.wrap(LimitedFlowPublisher.class, () -> null, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(LimitedFlowPublisher.class.getName() + ".prices")
        .hasMessageContaining("Flow.Publisher");
  }

  @Test
  void aKotlinSuspendFunctionIsRefused() {
    assertThatThrownBy(() -> Wrapper.wrap(SuspendingClient.class, (sku, continuation) -> null, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(SuspendingClient.class.getName() + ".price")
        .hasMessageContaining("suspend");
  }

  @Test
  void aFutureThatIsNotACompletionStageIsRefusedUnderAFallback() {
    FallbackFuture target = new FallbackFuture() {
      @Override
      public Future<String> price(String sku) {
        return CompletableFuture.completedFuture(sku);
      }

      @Override
      public Future<String> cached(String sku) {
        return CompletableFuture.completedFuture(sku);
      }
    };
    assertThatThrownBy(() -> Wrapper.wrap(FallbackFuture.class, target, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(FallbackFuture.class.getName() + ".price")
        .hasMessageContaining("java.util.concurrent.Future")
        .hasMessageContaining("not a CompletionStage");
  }

  @Test
  void aFutureImplementationThatIsNotACompletionStageIsRefused() {
    assertThatThrownBy(() -> Wrapper.wrap(FutureTaskClient.class, sku -> null, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(FutureTaskClient.class.getName() + ".price")
        .hasMessageContaining("FutureTask");
  }

  @Test
  void unannotatedLazyMethodsAndAnnotatedCompletableFuturesAreAccepted() throws Exception {
    Mixed target = new Mixed() {
      @Override
      public Mono<String> lazy(String sku) {
        return null;
      }

      @Override
      public Future<String> future(String sku) {
        return CompletableFuture.completedFuture("future " + sku);
      }

      @Override
      public CompletableFuture<String> eager(String sku) {
        return CompletableFuture.completedFuture("eager " + sku);
      }
    };
    Mixed wrapped = Wrapper.wrap(Mixed.class, target, registry);
    assertThat(wrapped.eager("a").get()).isEqualTo("eager a");
    assertThat(wrapped.future("b").get()).isEqualTo("future b");
  }
}
