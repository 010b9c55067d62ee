package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ballast.core.CircuitBreaker.Snapshot;
import dev.ballast.core.CircuitBreaker.State;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CircuitBreakerPolicyTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final ManualTicker now = new ManualTicker();
  private final CircuitBreaker breaker = CircuitBreaker.builder().name("policy").ticker(now::read)
      .countWindow(10).minimumCalls(2).slowCallDuration(Duration.ofSeconds(1)).build();

  @Test
  void callReturnsTheValueAndRecordsASuccess() throws Exception {
    assertThat(breaker.call(() -> "hello")).isEqualTo("hello");
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 1, 0, 0));
  }

  @Test
  void callRethrowsTheSameExceptionInstance() {
    IOException cause = new IOException("down");
    assertThat(catchThrowable(() -> breaker.call(() -> {
      throw cause;
    }))).isSameAs(cause);
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 1, 1, 0));
  }

  @Test
  void errorsAreRecordedAndRethrownToo() {
    AssertionError error = new AssertionError("bug");
    assertThat(catchThrowable(() -> breaker.call(() -> {
      throw error;
    }))).isSameAs(error);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
  }

  @Test
  void runRunsTheAction() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    breaker.run(runs::incrementAndGet);
    assertThat(runs).hasValue(1);
  }

  @Test
  void callsAreTimedWithTheTicker() throws Exception {
    breaker.call(() -> now.advanceNanos(2 * SECOND));
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 1, 0, 1));
  }

  @Test
  void anOpenBreakerDoesNotRunTheAction() {
    breaker.forceOpen();
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> breaker.call(runs::incrementAndGet)).isInstanceOf(CircuitOpenException.class);
    assertThat(runs).hasValue(0);
  }

  @Test
  void worksInsideAPipeline() throws Exception {
    assertThat(Pipeline.of(breaker).call(() -> 42)).isEqualTo(42);
    assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(1);
  }

  @Test
  void callAsyncCompletesWithTheValue() throws Exception {
    CompletableFuture<String> pending = new CompletableFuture<>();
    CompletionStage<String> stage = breaker.callAsync(() -> pending);
    now.advanceNanos(2 * SECOND);
    assertThat(breaker.snapshot().bufferedCalls()).isZero(); // not reported before it completes
    pending.complete("later");
    assertThat(stage.toCompletableFuture().get()).isEqualTo("later");
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 1, 0, 1));
  }

  @Test
  void callAsyncFailsWithTheSameExceptionInstance() {
    IOException cause = new IOException("down");
    CompletionStage<String> stage = breaker.callAsync(() -> CompletableFuture.failedFuture(cause));
    AtomicReference<Throwable> seen = new AtomicReference<>();
    stage.whenComplete((value, error) -> seen.set(error));
    assertThat(seen.get()).isSameAs(cause);
    assertThat(catchThrowable(() -> stage.toCompletableFuture().get()))
        .isInstanceOf(ExecutionException.class).cause().isSameAs(cause);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
  }

  @Test
  void callAsyncNeverThrows() {
    RuntimeException cause = new IllegalStateException("thrown before any stage");
    CompletionStage<String> stage = breaker.callAsync(() -> {
      throw cause;
    });
    assertThat(catchThrowable(() -> stage.toCompletableFuture().get())).cause().isSameAs(cause);

    CompletionStage<String> nullStage = breaker.callAsync(() -> null);
    assertThat(catchThrowable(() -> nullStage.toCompletableFuture().get()))
        .cause().isInstanceOf(NullPointerException.class);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(2);
  }

  @Test
  void callAsyncRejectsWithoutCallingTheAction() {
    breaker.forceOpen();
    AtomicInteger runs = new AtomicInteger();
    CompletionStage<Integer> stage = breaker.callAsync(() -> {
      runs.incrementAndGet();
      return CompletableFuture.completedFuture(1);
    });
    assertThat(catchThrowable(() -> stage.toCompletableFuture().get()))
        .cause().isInstanceOf(CircuitOpenException.class);
    assertThat(runs).hasValue(0);
  }

  @Test
  void callAsyncIgnoresWhatTheConfigIgnoresEvenWhenWrapped() {
    CircuitBreaker ignoring = breaker.toBuilder().ignoreExceptions(IllegalArgumentException.class).build();
    CompletableFuture<String> inner = CompletableFuture.failedFuture(new IllegalArgumentException("bad"));
    ignoring.callAsync(() -> inner.thenApply(s -> s)); // fails with a CompletionException around it
    assertThat(ignoring.snapshot().bufferedCalls()).isZero();
  }
}
