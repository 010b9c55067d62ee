package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ballast.core.CircuitBreaker.State;
import dev.ballast.core.CircuitBreaker.StateTransition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@code maxHalfOpenDuration}: probes that never report do not keep the breaker half-open. */
class CircuitBreakerHalfOpenTimeoutTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final ManualTicker now = new ManualTicker(77 * SECOND);
  private final RuntimeException boom = new IllegalStateException("boom");

  private CircuitBreakerBuilder builder() {
    return CircuitBreaker.builder().name("payments").ticker(now::read)
        .countWindow(2).minimumCalls(2).openDuration(Duration.ofSeconds(30))
        .halfOpenProbes(2).maxHalfOpenDuration(Duration.ofSeconds(10));
  }

  private final CircuitBreaker breaker = builder().build();

  /** Trips the breaker and waits out the open period: the next request turns it half-open. */
  private void tripAndWaitOut(CircuitBreaker b) {
    b.onError(0, boom);
    b.onError(0, boom);
    assertThat(b.state()).isEqualTo(State.OPEN);
    now.advanceNanos(30 * SECOND);
  }

  @Test
  void probesThatNeverReportOpenTheBreakerAgainForANewOpenPeriod() {
    tripAndWaitOut(breaker);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue(); // both probes out, neither will ever report

    now.advanceNanos(10 * SECOND - 1);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(breaker.state()).as("not yet").isEqualTo(State.HALF_OPEN);

    now.advanceNanos(1);
    CircuitOpenException e = catchThrowableOfType(CircuitOpenException.class, () -> breaker.call(() -> 1));
    assertThat(e.state()).as("the refused call that noticed sees the new open period").isEqualTo(State.OPEN);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.remainingOpenNanos()).isEqualTo(30 * SECOND);

    now.advanceNanos(30 * SECOND - 1);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    now.advanceNanos(1);
    assertThat(breaker.tryAcquirePermission()).as("probing again after openDuration").isTrue();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    breaker.onSuccess(0);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onSuccess(0);
    assertThat(breaker.state()).as("fresh probes decide as usual").isEqualTo(State.CLOSED);
  }

  @Test
  void theWaitCountsFromTheLastProbeLetThroughNotFromTheStateStart() {
    tripAndWaitOut(breaker);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    now.advanceNanos(8 * SECOND); // a quiet dependency: the second probe only comes 8 s later
    assertThat(breaker.tryAcquirePermission()).isTrue();

    now.advanceNanos(9 * SECOND); // 17 s into half-open, 9 s after the last probe
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);

    breaker.onSuccess(0);
    breaker.onSuccess(0);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void probesThatReportInTimeStillDecide() {
    tripAndWaitOut(breaker);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    now.advanceNanos(9 * SECOND);
    breaker.onError(0, boom);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    breaker.onError(0, boom);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.OPEN, 2, 2, 0));
  }

  @Test
  void aLateDecisionStillCountsWhenNoRequestNoticedTheTimeout() {
    tripAndWaitOut(breaker);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    now.advanceNanos(60 * SECOND); // nobody asked in between: the breaker has not given up yet

    breaker.onSuccess(0);
    breaker.onSuccess(0);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aReleasedProbeGivesItsPermitBackAndRestartsTheWait() {
    tripAndWaitOut(breaker);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    now.advanceNanos(9 * SECOND);
    breaker.releasePermission(); // one probe was never made

    now.advanceNanos(5 * SECOND);
    assertThat(breaker.tryAcquirePermission()).as("the released permit").isTrue();
    now.advanceNanos(9 * SECOND);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(breaker.state()).as("9 s after the last probe").isEqualTo(State.HALF_OPEN);
    now.advanceNanos(SECOND);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void lateResultsOfTimedOutProbesAreIgnored() throws Exception {
    CircuitBreaker oneProbe = breaker.toBuilder().halfOpenProbes(1).build();
    tripAndWaitOut(oneProbe);
    CompletableFuture<String> hung = new CompletableFuture<>();
    CompletableFuture<String> hungResult = oneProbe.<String>callAsync(() -> hung).toCompletableFuture();
    now.advanceNanos(10 * SECOND);
    assertThat(oneProbe.tryAcquirePermission()).isFalse();
    assertThat(oneProbe.state()).isEqualTo(State.OPEN);

    hung.complete("late success");
    assertThat(hungResult.get()).as("the caller still gets its value").isEqualTo("late success");
    assertThat(oneProbe.state()).as("but it does not close the breaker").isEqualTo(State.OPEN);

    now.advanceNanos(30 * SECOND);
    CompletableFuture<String> stillHung = new CompletableFuture<>();
    oneProbe.<String>callAsync(() -> stillHung);
    CompletableFuture<String> probe = new CompletableFuture<>();
    CompletableFuture<String> probeResult = oneProbe.<String>callAsync(() -> probe).toCompletableFuture();
    assertThat(probeResult).as("only one probe this time").isCompletedExceptionally();
    assertThat(oneProbe.state()).isEqualTo(State.HALF_OPEN);

    now.advanceNanos(10 * SECOND);
    assertThat(oneProbe.tryAcquirePermission()).isFalse(); // times out again: OPEN
    now.advanceNanos(30 * SECOND);
    CompletableFuture<String> fresh = new CompletableFuture<>();
    CompletableFuture<String> freshResult = oneProbe.<String>callAsync(() -> fresh).toCompletableFuture();
    assertThat(oneProbe.state()).isEqualTo(State.HALF_OPEN);

    stillHung.complete("from two half-open periods ago");
    assertThat(oneProbe.state()).as("reported to the state that granted it").isEqualTo(State.HALF_OPEN);
    fresh.completeExceptionally(new IOException("still down"));
    assertThat(freshResult).isCompletedExceptionally();
    assertThat(oneProbe.state()).as("the fresh probe decides").isEqualTo(State.OPEN);
  }

  @Test
  void withoutAMaxHalfOpenDurationTheBreakerWaitsForTheProbesForever() {
    CircuitBreaker patient = breaker.toBuilder().withoutMaxHalfOpenDuration().build();
    tripAndWaitOut(patient);
    assertThat(patient.tryAcquirePermission()).isTrue();
    assertThat(patient.tryAcquirePermission()).isTrue();
    now.advanceNanos(Duration.ofDays(365).toNanos());
    assertThat(patient.tryAcquirePermission()).isFalse();
    assertThat(patient.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void theTimeoutIsOneTransitionHeardByListenersAndMeters() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    CircuitBreaker metered = builder().meterRegistry(meters).build();
    List<StateTransition> seen = new ArrayList<>();
    metered.addListener(seen::add);
    tripAndWaitOut(metered);
    assertThat(metered.tryAcquirePermission()).isTrue();
    assertThat(metered.tryAcquirePermission()).isTrue();
    metered.onSuccess(0); // one of the two reports
    now.advanceNanos(10 * SECOND);

    for (int i = 0; i < 3; i++) {
      assertThat(metered.tryAcquirePermission()).isFalse();
    }

    StateTransition last = seen.get(seen.size() - 1);
    assertThat(seen).extracting(StateTransition::to)
        .containsExactly(State.OPEN, State.HALF_OPEN, State.OPEN);
    assertThat(last.from()).isEqualTo(State.HALF_OPEN);
    assertThat(last.reason()).isEqualTo("probes: 1 of 2 reported within PT10S of the last one let through");
    assertThat(metered.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.OPEN, 1, 0, 0));
    assertThat(meters.get("ballast.circuitbreaker.state").tag("state", "open").gauge().value()).isEqualTo(1.0);
    assertThat(meters.get("ballast.circuitbreaker.calls").tag("outcome", "rejected").timer().count())
        .isEqualTo(3);
  }
}
