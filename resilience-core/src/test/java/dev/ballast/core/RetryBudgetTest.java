package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private final ManualClock clock = new ManualClock();

  @Test
  void allowsTheFloorWithoutAnyCalls() {
    RetryBudget budget = RetryBudget.of(0.2, 1, Duration.ofSeconds(10)).withTicker(clock);
    int allowed = 0;
    while (budget.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void earnsRetriesFromCallsAndForgetsThemAfterTheWindow() {
    RetryBudget budget = RetryBudget.of(0.2, 0, Duration.ofSeconds(10)).withTicker(clock);
    for (int i = 0; i < 50; i++) {
      budget.recordCall();
    }
    int allowed = 0;
    while (budget.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(10);

    clock.advance(Duration.ofSeconds(11));
    assertThat(budget.tryRetry()).isFalse();
    budget.recordCall();
    budget.recordCall();
    budget.recordCall();
    budget.recordCall();
    budget.recordCall();
    assertThat(budget.tryRetry()).isTrue();
    assertThat(budget.isExhausted()).isFalse();
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(() -> RetryBudget.of(1.5, 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RetryBudget.ratio");
    assertThatThrownBy(() -> RetryBudget.of(0.1, -1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RetryBudget.minRetriesPerSecond");
    assertThatThrownBy(() -> RetryBudget.of(0.1, 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RetryBudget.window");
  }
}
