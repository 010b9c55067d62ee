package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ballast.core.CircuitBreaker.State;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerStateMachineTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final ManualTicker now = new ManualTicker(123 * SECOND);
  private final RuntimeException boom = new IllegalStateException("boom");

  private final CircuitBreaker breaker = CircuitBreaker.builder().name("inventory").ticker(now::read)
      .countWindow(4).minimumCalls(4).failureRateThreshold(0.5)
      .openDuration(Duration.ofSeconds(30)).halfOpenProbes(3).build();

  private void trip() {
    for (int i = 0; i < 4; i++) {
      breaker.onError(0, boom);
    }
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  private void toHalfOpen() {
    trip();
    now.advanceNanos(30 * SECOND);
  }

  @Test
  void openRejectsWithTheRemainingOpenTime() {
    trip();
    now.advanceNanos(10 * SECOND);
    AtomicInteger runs = new AtomicInteger();

    CircuitOpenException e = catchThrowableOfType(CircuitOpenException.class,
        () -> breaker.call(runs::incrementAndGet));

    assertThat(runs).hasValue(0);
    assertThat(e).isInstanceOf(CallRejectedException.class).isInstanceOf(RetryAfterHint.class);
    assertThat(e.policyName()).isEqualTo("inventory");
    assertThat(e.state()).isEqualTo(State.OPEN);
    assertThat(e.remainingOpenNanos()).isEqualTo(20 * SECOND);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(e.getMessage()).contains("'inventory'", "OPEN", "20000 ms");
    assertThat(breaker.remainingOpenNanos()).isEqualTo(20 * SECOND);
  }

  @Test
  void turnsHalfOpenOnTheFirstRequestAfterOpenDuration() {
    trip();
    now.advanceNanos(30 * SECOND - 1);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    now.advanceNanos(1);
    assertThat(breaker.state()).isEqualTo(State.OPEN); // lazily: nothing happens without a request
    assertThat(breaker.remainingOpenNanos()).isZero();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void halfOpenPermitsExactlyTheProbes() {
    toHalfOpen();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
    CircuitOpenException e = catchThrowableOfType(CircuitOpenException.class, () -> breaker.call(() -> 1));
    assertThat(e.state()).isEqualTo(State.HALF_OPEN);
    assertThat(e.getMessage()).contains("probe");

    breaker.releasePermission(); // a probe that was never made gives its permit back
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
  }

  @Test
  void releasingMorePermitsThanTakenDoesNotAddProbes() {
    toHalfOpen();
    breaker.releasePermission();
    breaker.releasePermission();
    int granted = 0;
    while (breaker.tryAcquirePermission()) {
      granted++;
    }
    assertThat(granted).isEqualTo(3);
  }

  @Test
  void succeedingProbesCloseWithAFreshWindow() {
    toHalfOpen();
    for (int i = 0; i < 3; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
    }
    breaker.onSuccess(0);
    breaker.onError(0, boom);
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.HALF_OPEN, 2, 1, 0));
    breaker.onSuccess(0); // 1 of 3 failed: 33 % < 50 %
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
  }

  @Test
  void failingProbesOpenAgainForAFullOpenDuration() {
    toHalfOpen();
    for (int i = 0; i < 3; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
    }
    breaker.onError(0, boom);
    breaker.onSuccess(0);
    now.advanceNanos(SECOND);
    breaker.onError(0, boom); // 2 of 3
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.remainingOpenNanos()).isEqualTo(30 * SECOND);
    assertThat(breaker.tryAcquirePermission()).isFalse();
  }

  @Test
  void slowProbesOpenAgainWhenSlowCallsTrip() {
    CircuitBreaker slowBreaker = breaker.toBuilder().slowCallRateThreshold(0.5)
        .slowCallDuration(Duration.ofSeconds(1)).build();
    for (int i = 0; i < 4; i++) {
      slowBreaker.onSuccess(2 * SECOND);
    }
    assertThat(slowBreaker.state()).isEqualTo(State.OPEN);
    now.advanceNanos(30 * SECOND);
    assertThat(slowBreaker.tryAcquirePermission()).isTrue();
    slowBreaker.onSuccess(2 * SECOND);
    slowBreaker.onSuccess(2 * SECOND);
    slowBreaker.onSuccess(0);
    assertThat(slowBreaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void anIgnoredProbeGivesItsPermitBack() {
    CircuitBreaker ignoring = breaker.toBuilder().ignoreExceptions(IllegalArgumentException.class).build();
    for (int i = 0; i < 4; i++) {
      ignoring.onError(0, boom);
    }
    now.advanceNanos(30 * SECOND);
    for (int i = 0; i < 3; i++) {
      assertThat(ignoring.tryAcquirePermission()).isTrue();
    }
    ignoring.onError(0, new IllegalArgumentException("the caller's mistake"));
    assertThat(ignoring.state()).isEqualTo(State.HALF_OPEN);
    assertThat(ignoring.tryAcquirePermission()).isTrue();
  }

  @Test
  void reportsOfCallsPermittedBeforeOpeningAreDropped() {
    trip();
    breaker.onSuccess(0);
    breaker.onError(0, boom);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.OPEN, 4, 4, 0));
  }

  @Test
  void forceOpenRejectsUntilReset() {
    breaker.forceOpen();
    assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);
    now.advanceNanos(3600 * SECOND);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(breaker.remainingOpenNanos()).isEqualTo(Long.MAX_VALUE);
    CircuitOpenException e = catchThrowableOfType(CircuitOpenException.class, () -> breaker.call(() -> 1));
    assertThat(e.state()).isEqualTo(State.FORCED_OPEN);
    assertThat(e.getMessage()).contains("operator");

    breaker.reset();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.tryAcquirePermission()).isTrue();
  }

  @Test
  void disabledPermitsEverythingAndRecordsNothing() {
    breaker.disable();
    for (int i = 0; i < 100; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onError(0, boom);
    }
    assertThat(breaker.state()).isEqualTo(State.DISABLED);
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
    breaker.reset();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void resetForgetsTheWindow() {
    breaker.onError(0, boom);
    breaker.onError(0, boom);
    breaker.reset();
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
    breaker.onError(0, boom);
    breaker.onError(0, boom);
    breaker.onSuccess(0);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void operatorsCanLeaveOpenAndHalfOpen() {
    trip();
    breaker.disable();
    assertThat(breaker.state()).isEqualTo(State.DISABLED);
    breaker.forceOpen();
    assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);
    breaker.reset();
    toHalfOpen();
    breaker.tryAcquirePermission();
    breaker.forceOpen();
    assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);
  }
}
