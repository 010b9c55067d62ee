package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CircuitBreakerLateResultTest {

  @Test
  void aCallGrantedWhileClosedThatEndsDuringHalfOpenDoesNotCountAsTheProbe() throws Exception {
    ManualTicker now = new ManualTicker();
    CircuitBreaker breaker = CircuitBreaker.builder().name("late").countWindow(4).minimumCalls(4)
        .failureRateThreshold(0.5).openDuration(Duration.ofSeconds(1)).halfOpenProbes(1).ticker(now::read).build();

    CompletableFuture<String> slowFromClosed = new CompletableFuture<>();
    CompletableFuture<String> lateResult = breaker.<String>callAsync(() -> slowFromClosed).toCompletableFuture();
    for (int i = 0; i < 4; i++) {
      try {
        breaker.call(() -> {
          throw new IOException("down");
        });
      } catch (IOException expected) {
        // tripping the breaker
      }
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    now.advanceNanos(Duration.ofSeconds(2).toNanos());
    CompletableFuture<String> probe = new CompletableFuture<>();
    CompletableFuture<String> probeResult = breaker.<String>callAsync(() -> probe).toCompletableFuture();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);

    slowFromClosed.complete("late success from before the outage");
    assertThat(lateResult.get()).startsWith("late");
    assertThat(breaker.state()).as("the late result is not the probe's").isEqualTo(CircuitBreaker.State.HALF_OPEN);

    probe.completeExceptionally(new IOException("still down"));
    assertThat(probeResult).isCompletedExceptionally();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }
}
