package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimeoutTest {

  @Test
  void interruptsABlockedCallAtTheLimit() {
    CountDownLatch never = new CountDownLatch(1);
    Timeout timeout = Timeout.of(Duration.ofMillis(50));
    assertThatThrownBy(() -> timeout.call(() -> never.await(1, TimeUnit.MINUTES)))
        .isInstanceOf(TimeoutExceededException.class)
        .hasMessageContaining("PT0.05S")
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).as("no stray interrupt left behind").isFalse();
  }

  @Test
  void returnsTheResultOfACallThatFinishesInTime() throws Exception {
    assertThat(Timeout.of(Duration.ofSeconds(30)).call(() -> "fast")).isEqualTo("fast");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void withoutInterruptALateResultIsDiscarded() {
    ManualTicker clock = new ManualTicker(1_000_000_000L);
    Timeout timeout = Timeout.builder().limit(Duration.ofSeconds(1)).interrupt(false).ticker(clock::read).build();
    assertThatThrownBy(() -> timeout.call(() -> {
      clock.advance(Duration.ofSeconds(2));
      return "late";
    })).isInstanceOf(TimeoutExceededException.class);
  }

  @Test
  void passesThroughTheCallsOwnFailure() {
    IllegalStateException failure = new IllegalStateException("boom");
    assertThatThrownBy(() -> Timeout.of(Duration.ofSeconds(30)).call(() -> {
      throw failure;
    })).isSameAs(failure);
  }

  @Test
  void asyncCompletesExceptionallyAtTheLimitAndCancelsTheAction() {
    CompletableFuture<String> never = new CompletableFuture<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Timeout timeout = Timeout.builder().name("quote").limit(Duration.ofMillis(20)).meterRegistry(registry).build();
    CompletableFuture<String> result = timeout.callAsync(() -> never).toCompletableFuture();
    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutExceededException.class);
    assertThat(never).isCancelled();
    assertThat(registry.get("ballast.timeout.calls").tag("result", "timed_out").counter().count()).isEqualTo(1.0);
  }

  @Test
  void asyncPassesThroughATimelyResult() throws Exception {
    CompletableFuture<String> result = Timeout.of(Duration.ofSeconds(30))
        .callAsync(() -> CompletableFuture.completedFuture("ok")).toCompletableFuture();
    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(() -> Timeout.of(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Timeout.limit");
    assertThatThrownBy(() -> Timeout.builder().build())
        .isInstanceOf(NullPointerException.class).hasMessageContaining("Timeout.limit");
    assertThatThrownBy(() -> Timeout.builder().limit(Duration.ofSeconds(1)).limit(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Timeout.limit");
  }
}
