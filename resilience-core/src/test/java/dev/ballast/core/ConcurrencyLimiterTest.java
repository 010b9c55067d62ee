package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

  private final ManualClock clock = new ManualClock();

  private ConcurrencyLimiter.Builder fixed(int limit) {
    // AIMD that never sees a slow call keeps its limit while in flight stays under half of it.
    return ConcurrencyLimiter.builder().name("db").ticker(clock)
        .algorithm(ConcurrencyLimitAlgorithm.aimd(Duration.ofHours(1))).limits(limit, 1, 1000);
  }

  @Test
  void refusesAtOnceAtTheLimitWithAHint() throws Exception {
    ConcurrencyLimiter limiter = fixed(2).build();
    CompletableFuture<String> a = new CompletableFuture<>();
    limiter.callAsync(() -> a);
    limiter.callAsync(CompletableFuture::new);
    assertThatThrownBy(() -> limiter.call(() -> "x"))
        .isInstanceOf(ConcurrencyLimitExceededException.class)
        .hasMessageContaining("'db' is at its limit of 2 calls (partition 'default')")
        .satisfies(e -> assertThat(((ConcurrencyLimitExceededException) e).retryAfter()).isPositive());
    a.complete("done");
    assertThat(limiter.inFlight()).isEqualTo(1);
    assertThat(limiter.call(() -> "ran")).isEqualTo("ran");
  }

  @Test
  void aCriticalPartitionKeepsItsShareWhileBestEffortIsShedFirst() {
    ConcurrencyLimiter limiter = fixed(10).partition("checkout", 0.7).partition("browse", 0.3).build();
    int checkout = limiter.partitionIndex("checkout");
    int browse = limiter.partitionIndex("browse");
    List<Long> browseTokens = new ArrayList<>();
    // Browse borrows all the spare room...
    for (long token; (token = limiter.tryAcquire(browse)) != ConcurrencyLimiter.REJECTED; ) {
      browseTokens.add(token);
    }
    assertThat(browseTokens).hasSize(10);
    // ...yet checkout still gets its 7 guaranteed slots, and no more.
    int accepted = 0;
    while (limiter.tryAcquire(checkout) != ConcurrencyLimiter.REJECTED) {
      accepted++;
    }
    assertThat(accepted).isEqualTo(7);
    assertThat(limiter.tryAcquire(browse)).isEqualTo(ConcurrencyLimiter.REJECTED);
    // Calls without a partition have the share the named ones leave: none here.
    assertThat(limiter.tryAcquire(0)).isEqualTo(ConcurrencyLimiter.REJECTED);
    assertThatThrownBy(() -> limiter.partition("search")).hasMessageContaining("[default, checkout, browse]");
    assertThatThrownBy(() -> limiter.onSuccess(browse, ConcurrencyLimiter.REJECTED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REJECTED token");
    assertThat(limiter.inFlight()).isEqualTo(17);
  }

  @Test
  void timeoutsAndMatchingResultsAreDropsThatLowerTheLimit() throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().ticker(clock)
        .algorithm(ConcurrencyLimitAlgorithm.aimd(Duration.ofSeconds(1))).limits(100, 1, 1000)
        .dropOnResult(result -> Integer.valueOf(503).equals(result)).build();
    assertThat(limiter.call(() -> 503)).isEqualTo(503);
    assertThat(limiter.limit()).isEqualTo(90);
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> limiter.call(() -> {
      throw new TimeoutExceededException("t", Duration.ofMillis(1));
    })).isInstanceOf(TimeoutExceededException.class);
    assertThat(limiter.limit()).isEqualTo(81);
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> limiter.call(() -> {
      throw new IOException("bad request");
    })).isInstanceOf(IOException.class);
    assertThat(limiter.limit()).as("other failures say nothing about load").isEqualTo(81);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void asyncCallsFreeTheirSlotExactlyOnceOnEveryPath() {
    ConcurrencyLimiter limiter = fixed(1).build();
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletionStage<String> stage = limiter.callAsync(() -> work);
    assertThat(limiter.callAsync(CompletableFuture::new).toCompletableFuture()).isCompletedExceptionally();
    stage.toCompletableFuture().cancel(true);
    assertThat(limiter.inFlight()).isZero();
    work.complete("late");
    assertThat(limiter.inFlight()).isZero();
    limiter.callAsync(() -> CompletableFuture.failedFuture(new IOException("x")));
    limiter.callAsync(() -> null);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void countsCallsByPartitionResultAndReason() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConcurrencyLimiter limiter = fixed(1).partition("checkout", 1.0).meterRegistry(registry).build();
    int checkout = limiter.partitionIndex("checkout");
    long token = limiter.tryAcquire(checkout);
    assertThat(limiter.tryAcquire(0)).isEqualTo(ConcurrencyLimiter.REJECTED);
    assertThat(registry.get("ballast.concurrency.calls").tag("partition", "checkout").tag("result", "accepted")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get("ballast.concurrency.calls").tag("partition", "default").tag("reason", "limit")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get("ballast.concurrency.inflight").tag("partition", "checkout").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("ballast.concurrency.limit").gauge().value()).isEqualTo(1);
    limiter.onSuccess(checkout, token);
  }

  @Test
  void rejectsBadSettingsNamingTheField() {
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().limits(5, 10, 100).build())
        .hasMessageContaining("ConcurrencyLimiter.initialLimit must be at least 10");
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().partition("a", 0.8).partition("b", 0.3).build())
        .hasMessageContaining("at most 100 %, was 110.0 %");
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().partition("a", 0).build())
        .hasMessageContaining("ConcurrencyLimiter.partitions.a");
    assertThatThrownBy(() -> ConcurrencyLimitAlgorithm.aimd(Duration.ZERO)).hasMessageContaining("latencyThreshold");
    assertThatThrownBy(() -> new ConcurrencyLimitAlgorithm.Aimd(Duration.ofSeconds(1), 1.0))
        .hasMessageContaining("Aimd.backoffRatio");
  }

  @Test
  void allocatesNothingToAcquireAndRelease() {
    ConcurrencyLimiter limiter = fixed(10).build();
    java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    long id = Thread.currentThread().getId();
    cycle(limiter, 200_000);
    long before = threads.getThreadAllocatedBytes(id);
    cycle(limiter, 200_000);
    assertThat(threads.getThreadAllocatedBytes(id) - before).isLessThan(2_000);
  }

  private static void cycle(ConcurrencyLimiter limiter, int times) {
    for (int i = 0; i < times; i++) {
      long token = limiter.tryAcquire(0);
      limiter.onSuccess(0, token);
    }
  }
}
