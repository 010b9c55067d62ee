package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTimeWindowTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final ManualTicker now = new ManualTicker();
  private final RuntimeException boom = new IllegalStateException("boom");

  private CircuitBreaker breaker(int minimumCalls) {
    return CircuitBreaker.builder().name("timed").ticker(now::read)
        .timeWindow(Duration.ofSeconds(10)).minimumCalls(minimumCalls).build();
  }

  @Test
  void usesOneSecondBuckets() {
    assertThat(breaker(1).config().windowSize()).isEqualTo(10);
  }

  @Test
  void failuresOlderThanTheWindowStopCounting() {
    CircuitBreaker breaker = breaker(3);
    breaker.onError(0, boom);
    breaker.onError(0, boom);
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(2);

    now.advanceNanos(10 * SECOND);
    assertThat(breaker.snapshot().bufferedCalls()).isZero();
    breaker.onError(0, boom);
    assertThat(breaker.state()).isEqualTo(State.CLOSED); // one failure in the window, not three
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 1, 1, 0));
  }

  @Test
  void callsInsideTheWindowAddUp() {
    CircuitBreaker breaker = breaker(3);
    breaker.onError(0, boom);
    now.advanceNanos(5 * SECOND);
    breaker.onSuccess(0);
    now.advanceNanos(4 * SECOND);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 2, 1, 0));
    breaker.onError(0, boom); // 2 of 3 within 9.x seconds
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void theWindowSlidesOneBucketAtATime() {
    CircuitBreaker breaker = CircuitBreaker.builder().name("buckets").ticker(now::read)
        .timeWindow(Duration.ofSeconds(1), 4).minimumCalls(100).build();
    breaker.onError(0, boom);              // bucket [0, 250 ms)
    now.advanceNanos(SECOND / 2);
    breaker.onError(0, boom);              // bucket [500, 750 ms)
    now.advanceNanos(SECOND / 2);             // 1 s: the first bucket left, the second is still in
    assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
    now.advanceNanos(SECOND / 2);
    assertThat(breaker.snapshot().failedCalls()).isZero();
  }

  @Test
  void slowCallsAreTimedByTheCaller() {
    CircuitBreaker breaker = CircuitBreaker.builder().name("slow").ticker(now::read)
        .timeWindow(Duration.ofSeconds(10)).minimumCalls(2)
        .slowCallDuration(Duration.ofMillis(100)).slowCallRateThreshold(0.5).build();
    breaker.onSuccess(0);
    breaker.onSuccess(SECOND);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }
}
