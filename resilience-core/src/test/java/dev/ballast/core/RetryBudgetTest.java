package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private final ManualTicker clock = new ManualTicker(1_000_000_000L);

  @Test
  void allowsTheFloorWithoutAnyCalls() {
    RetryBudget budget = RetryBudget.of(0.2, 1, Duration.ofSeconds(10)).withTicker(clock::read);
    int allowed = 0;
    while (budget.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void earnsRetriesFromCallsAndForgetsThemAfterTheWindow() {
    RetryBudget budget = RetryBudget.of(0.2, 0, Duration.ofSeconds(10)).withTicker(clock::read);
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

  /** Counts what the budget would log. */
  static final class CountedTransitions implements RetryBudget.Transitions {
    int refusing;
    int recovered;

    @Override
    public void refusing(RetryBudget budget) {
      refusing++;
    }

    @Override
    public void recovered(RetryBudget budget) {
      recovered++;
    }
  }

  @Test
  void aBudgetPinnedAtItsCapLogsOnceNotAtEveryTurn() {
    CountedTransitions logged = new CountedTransitions();
    RetryBudget budget = RetryBudget.of(0.1, 1, Duration.ofSeconds(10)).withTicker(clock::read).withTransitions(logged);

    // 100 s of retries asked for twice as often as the floor of 1/s allows: old retries leave the window
    // bucket by bucket, so the budget grants and refuses by turns the whole time.
    int flips = 0;
    boolean last = true;
    for (int step = 0; step < 1000; step++) {
      clock.advance(Duration.ofMillis(100));
      if (step % 5 == 0) {
        boolean allowed = budget.tryRetry();
        flips += allowed != last ? 1 : 0;
        last = allowed;
      }
    }
    assertThat(flips).as("grant/refuse turns while pinned").isGreaterThan(10);
    assertThat(logged.refusing).isEqualTo(1);
    assertThat(logged.recovered).isZero();

    // Retries granted within a window of the last refusal are not a recovery yet.
    clock.advance(Duration.ofSeconds(5));
    assertThat(budget.tryRetry()).isTrue();
    assertThat(logged.recovered).isZero();

    // A whole window without a refusal: the next granted retry reports the recovery, once.
    clock.advance(Duration.ofSeconds(10));
    assertThat(budget.tryRetry()).isTrue();
    assertThat(budget.tryRetry()).isTrue();
    assertThat(logged.recovered).isEqualTo(1);

    // Refusing again is a new episode.
    while (budget.tryRetry()) {
      clock.advance(Duration.ofMillis(1));
    }
    assertThat(logged.refusing).isEqualTo(2);
    assertThat(budget.isExhausted()).isTrue();
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
