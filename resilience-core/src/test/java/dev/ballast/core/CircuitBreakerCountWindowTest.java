package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker.State;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerCountWindowTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final ManualTicker now = new ManualTicker();
  private final RuntimeException boom = new IllegalStateException("boom");

  private CircuitBreakerBuilder builder(int window, int minimumCalls) {
    return CircuitBreaker.builder().name("test").ticker(now::read).countWindow(window).minimumCalls(minimumCalls);
  }

  @Test
  void opensExactlyWhenTheFailureRateReachesTheThreshold() {
    CircuitBreaker breaker = builder(10, 10).failureRateThreshold(0.5).build();
    record(breaker, 5, 0);
    for (int i = 0; i < 4; i++) {
      breaker.onError(0, boom);
      assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }
    breaker.onError(0, boom); // 5 of 10 = 50 %
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.OPEN, 10, 5, 0));
  }

  @Test
  void staysClosedBelowTheThreshold() {
    CircuitBreaker breaker = builder(10, 10).failureRateThreshold(0.5).build();
    record(breaker, 6, 4);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().failureRate()).isEqualTo(0.4);
  }

  @Test
  void isNotJudgedBeforeMinimumCalls() {
    CircuitBreaker breaker = builder(100, 10).build();
    record(breaker, 0, 9);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().failureRate()).isEqualTo(1.0);
    breaker.onError(0, boom);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void aWindowSmallerThanMinimumCallsIsJudgedOnceFull() {
    CircuitBreaker breaker = CircuitBreaker.builder().name("small").countWindow(5).build(); // minimumCalls 20
    record(breaker, 0, 4);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    breaker.onError(0, boom);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void slowCallRateOpensTheBreaker() {
    CircuitBreaker breaker = builder(4, 4)
        .slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(0.5).build();
    breaker.onSuccess(0);
    breaker.onSuccess(SECOND - 1);
    breaker.onSuccess(SECOND);
    assertThat(breaker.state()).isEqualTo(State.CLOSED); // 3 calls < minimumCalls
    breaker.onSuccess(5 * SECOND);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.OPEN, 4, 0, 2));
  }

  @Test
  void slowCallsAreCountedButDoNotTripByDefault() {
    CircuitBreaker breaker = builder(4, 4).slowCallDuration(Duration.ofSeconds(1)).build();
    for (int i = 0; i < 8; i++) {
      breaker.onSuccess(2 * SECOND);
    }
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().slowCallRate()).isEqualTo(1.0);
  }

  @Test
  void slowFailuresCountAsBothFailedAndSlow() {
    CircuitBreaker breaker = builder(4, 4).slowCallDuration(Duration.ofSeconds(1))
        .failureRateThreshold(1.0).build();
    breaker.onError(2 * SECOND, boom);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 1, 1, 1));
  }

  @Test
  void ignoredExceptionsCountAsNothing() {
    CircuitBreaker breaker = builder(10, 1).ignoreExceptions(IllegalArgumentException.class).build();
    for (int i = 0; i < 50; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onError(0, new NumberFormatException("a subclass is ignored too"));
    }
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
  }

  @Test
  void exceptionsRecordFailureRejectsCountAsSuccesses() {
    CircuitBreaker breaker = builder(10, 1).recordFailure(e -> e instanceof IOException).build();
    breaker.onError(0, new IllegalStateException("not an I/O problem"));
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 1, 0, 0));
    breaker.onError(0, new IOException("reset by peer"));
    assertThat(breaker.state()).isEqualTo(State.OPEN); // 1 of 2 = 50 %
  }

  @Test
  void oldFailuresSlideOutOfTheWindow() {
    CircuitBreaker breaker = builder(4, 4).failureRateThreshold(1.0).build();
    breaker.onError(0, boom);
    breaker.onError(0, boom);
    record(breaker, 2, 0);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 4, 2, 0));
    breaker.onSuccess(0);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
    breaker.onSuccess(0);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 4, 0, 0));
  }

  @Test
  void aPowerOfTwoWindowSlidesLikeAnyOther() {
    CircuitBreaker breaker = builder(8, 8).failureRateThreshold(1.0).build();
    record(breaker, 0, 3);
    record(breaker, 8, 0);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 8, 0, 0));
  }

  @Test
  void successesThatWriteNothingToAFullHealthyWindowStillEvictAFailureAfterExactlyTheWindow() {
    // Successes into a full window of successes skip the ring (issue 17); those after a failure must not.
    CircuitBreaker breaker = builder(10, 10).failureRateThreshold(0.5).build();
    record(breaker, 25, 1);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 10, 1, 0));
    record(breaker, 9, 0);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
    record(breaker, 1, 0);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 10, 0, 0));
    breaker.onSuccess(SECOND * 3600); // a slow success is recorded too
    assertThat(breaker.snapshot().slowCalls()).isEqualTo(1);
  }

  private static void record(CircuitBreaker breaker, int successes, int failures) {
    for (int i = 0; i < successes; i++) {
      breaker.onSuccess(0);
    }
    for (int i = 0; i < failures; i++) {
      breaker.onError(0, new RuntimeException("failure " + i));
    }
  }
}
