package dev.ballast.core.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.AdaptiveThrottle;
import dev.ballast.core.ConcurrencyLimitExceededException;
import dev.ballast.core.ConcurrencyLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.TimeoutExceededException;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The three load-shedding annotations, built from configuration, in InterceptorOrder's places. */
class LoadSheddingAnnotationTest {

  public interface Search {
    // Scrambled on purpose: the order is InterceptorOrder's.
    @Bulkhead("db")
    @Timeout("db")
    @ConcurrencyLimit(value = "db", partition = "checkout")
    String find(String query) throws InterruptedException;

    @ConcurrencyLimit("db")
    @Throttled("api")
    CompletionStage<String> findAsync(String query);
  }

  static final class SlowSearch implements Search {
    final CountDownLatch release = new CountDownLatch(1);
    final CompletableFuture<String> pending = new CompletableFuture<>();

    @Override
    public String find(String query) throws InterruptedException {
      release.await(30, TimeUnit.SECONDS); // interrupted by the timeout
      return query;
    }

    @Override
    public CompletionStage<String> findAsync(String query) {
      return pending;
    }
  }

  private static Registry registry() {
    return Configuration.parse("""
        concurrencyLimits:
          db:
            algorithm: aimd
            latencyThreshold: 10s
            initialLimit: 10
            partitions: { checkout: 70% }
        bulkheads:
          db: { maxConcurrentCalls: 2 }
        timeouts:
          db: { limit: 50ms }
        throttles:
          api: { k: 1.5, window: 1m }
        """, "shed.yaml").buildRegistry(ConfigContext.defaults());
  }

  @Test
  void aTimeoutReachesTheLimiterAsADropAndFreesTheBulkheadSlot() {
    Registry registry = registry();
    Search search = Wrapper.wrap(Search.class, new SlowSearch(), registry);
    ConcurrencyLimiter limiter = registry.get("db", ConcurrencyLimiter.class);

    assertThatThrownBy(() -> search.find("shoes")).isInstanceOf(TimeoutExceededException.class);

    // The limiter sits outside the timeout, so it saw a TimeoutExceededException: a drop, 10 -> 9.
    assertThat(limiter.limit()).isEqualTo(9);
    assertThat(limiter.inFlight()).isZero();
    assertThat(registry.get("db", dev.ballast.core.Bulkhead.class).inFlight()).isZero();
    assertThat(registry.get("api", AdaptiveThrottle.class).config().k()).isEqualTo(1.5);
  }

  @Test
  void anAsyncCallHoldsItsLimiterSlotUntilItsStageCompletes() {
    Registry registry = registry();
    SlowSearch target = new SlowSearch();
    Search search = Wrapper.wrap(Search.class, target, registry);
    ConcurrencyLimiter limiter = registry.get("db", ConcurrencyLimiter.class);
    CompletionStage<String> stage = search.findAsync("hats");
    assertThat(limiter.inFlight()).isEqualTo(1);
    target.pending.complete("hats");
    assertThat(stage.toCompletableFuture()).isCompletedWithValue("hats");
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void theDefaultPartitionIsShedWhileCheckoutKeepsItsShare() {
    Registry registry = registry();
    ConcurrencyLimiter limiter = registry.get("db", ConcurrencyLimiter.class);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire(0)).isNotEqualTo(ConcurrencyLimiter.REJECTED);
    }
    Search search = Wrapper.wrap(Search.class, new SlowSearch(), registry);
    assertThat(search.findAsync("x").toCompletableFuture()).isCompletedExceptionally();
    assertThatThrownBy(() -> search.findAsync("x").toCompletableFuture().join())
        .hasCauseInstanceOf(ConcurrencyLimitExceededException.class);
  }

  public interface Typo {
    @ConcurrencyLimit(value = "db", partition = "chekout")
    String find(String query);
  }

  @Test
  void anUnknownPartitionIsReportedWhenTheMethodIsWrapped() {
    assertThatThrownBy(() -> Wrapper.wrap(Typo.class, q -> q, registry()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@ConcurrencyLimit on Typo.find")
        .hasMessageContaining("no partition 'chekout'");
  }
}
