package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BulkheadTest {

  private final ManualClock clock = new ManualClock();

  private Bulkhead bulkhead(int max) {
    return Bulkhead.builder().name("db").maxConcurrentCalls(max).ticker(clock).build();
  }

  @Test
  void refusesTheCallBeyondTheBoundWithAHint() throws Exception {
    Bulkhead bulkhead = bulkhead(2);
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    bulkhead.callAsync(() -> first);
    bulkhead.callAsync(() -> second);

    assertThat(bulkhead.inFlight()).isEqualTo(2);
    assertThatThrownBy(() -> bulkhead.call(() -> "never"))
        .isInstanceOf(BulkheadFullException.class)
        .hasMessageContaining("'db' is full (2 calls running)")
        .satisfies(e -> assertThat(((BulkheadFullException) e).retryAfter()).isPositive());
    first.complete("done");
    assertThat(bulkhead.call(() -> "ran")).isEqualTo("ran");
  }

  @Test
  void asyncCallsHoldTheirSlotUntilTheStageCompletesOnEveryPath() {
    Bulkhead bulkhead = bulkhead(1);
    CompletableFuture<String> success = new CompletableFuture<>();
    CompletionStage<String> a = bulkhead.callAsync(() -> success);
    assertThat(bulkhead.inFlight()).isEqualTo(1);
    assertThat(bulkhead.callAsync(() -> CompletableFuture.completedFuture("x")).toCompletableFuture())
        .isCompletedExceptionally();
    success.complete("ok");
    assertThat(a.toCompletableFuture()).isCompletedWithValue("ok");
    assertThat(bulkhead.inFlight()).isZero();

    CompletableFuture<String> failure = new CompletableFuture<>();
    CompletionStage<String> b = bulkhead.callAsync(() -> failure);
    failure.completeExceptionally(new IOException("down"));
    assertThat(b.toCompletableFuture()).isCompletedExceptionally();
    assertThat(bulkhead.inFlight()).isZero();

    CompletableFuture<String> ignored = new CompletableFuture<>();
    CompletionStage<String> c = bulkhead.callAsync(() -> ignored);
    c.toCompletableFuture().cancel(true);
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(ignored).as("the cancellation reaches the action").isCancelled();
    ignored.complete("late"); // a late completion must not release a second time
    assertThat(bulkhead.inFlight()).isZero();

    assertThat(bulkhead.callAsync(() -> {
      throw new IllegalStateException("no stage");
    }).toCompletableFuture()).isCompletedExceptionally();
    assertThat(bulkhead.callAsync(() -> null).toCompletableFuture()).isCompletedExceptionally();
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void anOuterTimeoutFreesTheSlotOfAHungAsyncCall() throws Exception {
    Bulkhead bulkhead = bulkhead(1);
    Timeout timeout = Timeout.of(Duration.ofMillis(50));
    CompletableFuture<String> hung = new CompletableFuture<>();
    CompletionStage<String> call = Pipeline.of(timeout, bulkhead).callAsync(() -> hung);

    assertThatThrownBy(() -> call.toCompletableFuture().get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutExceededException.class);
    // The timeout completes its own stage first, then cancels the one it waited for, on its timer thread.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(hung::isCancelled);
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void syncCallsReleaseOnSuccessAndOnFailure() {
    Bulkhead bulkhead = bulkhead(1);
    assertThatThrownBy(() -> bulkhead.call(() -> {
      throw new IOException("boom");
    })).isInstanceOf(IOException.class);
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThat(bulkhead.tryAcquire()).isFalse();
    bulkhead.release();
    assertThatThrownBy(bulkhead::release).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without a slot");
  }

  @Test
  void aSyncCallWaitsUpToMaxWaitForAFreeSlot() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder().name("wait").maxConcurrentCalls(1)
        .maxWait(Duration.ofSeconds(30)).build();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch letGo = new CountDownLatch(1);
      Future<String> holder = pool.submit(() -> bulkhead.call(() -> {
        holding.countDown();
        letGo.await(30, TimeUnit.SECONDS);
        return "first";
      }));
      assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
      Future<String> waiter = pool.submit(() -> bulkhead.call(() -> "second"));
      // The waiter cannot finish while the slot is held; it gets it once the holder is done.
      assertThat(waiter.isDone()).isFalse();
      letGo.countDown();
      assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("first");
      assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo("second");
      assertThat(bulkhead.inFlight()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWaitThatRunsOutIsRefusedAndAnInterruptedWaitKeepsItsFlag() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder().name("wait").maxConcurrentCalls(1)
        .maxWait(Duration.ofMillis(20)).build();
    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThatThrownBy(() -> bulkhead.call(() -> "x")).isInstanceOf(BulkheadFullException.class);

    Bulkhead patient = Bulkhead.builder().name("patient").maxConcurrentCalls(1)
        .maxWait(Duration.ofMinutes(5)).build();
    assertThat(patient.tryAcquire()).isTrue();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> patient.call(() -> "x")).isInstanceOf(InterruptedException.class);
    assertThat(patient.inFlight()).isEqualTo(1);
  }

  @Test
  void countsAcceptedAndRejectedCallsByReason() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Bulkhead bulkhead = Bulkhead.builder().name("db").maxConcurrentCalls(1).meterRegistry(registry).build();
    bulkhead.call(() -> "a");
    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThatThrownBy(() -> bulkhead.call(() -> "b")).isInstanceOf(BulkheadFullException.class);

    assertThat(registry.get("ballast.bulkhead.calls").tag("name", "db").tag("result", "accepted").counter()
        .count()).isEqualTo(1);
    assertThat(registry.get("ballast.bulkhead.calls").tag("result", "rejected").tag("reason", "full").counter()
        .count()).isEqualTo(1);
    assertThat(registry.get("ballast.bulkhead.inflight").gauge().value()).isEqualTo(1);
    assertThat(registry.get("ballast.bulkhead.limit").gauge().value()).isEqualTo(1);
  }

  @Test
  void rejectsBadSettingsNamingTheField() {
    assertThatThrownBy(() -> Bulkhead.builder().maxConcurrentCalls(0).build())
        .hasMessageContaining("Bulkhead.maxConcurrentCalls must be at least 1");
    assertThatThrownBy(() -> Bulkhead.builder().maxConcurrentCalls(1).maxWait(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("Bulkhead.maxWait");
    assertThatThrownBy(() -> Bulkhead.builder().build()).hasMessageContaining("maxConcurrentCalls is required");
    assertThatThrownBy(() -> Bulkhead.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anExecutionExceptionFromAFailedStageIsUnwrapped() {
    Bulkhead bulkhead = bulkhead(1);
    CompletionStage<String> stage = bulkhead.callAsync(
        () -> CompletableFuture.<String>failedFuture(new IOException("down")).thenApply(s -> s));
    assertThatThrownBy(() -> stage.toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
  }
}
