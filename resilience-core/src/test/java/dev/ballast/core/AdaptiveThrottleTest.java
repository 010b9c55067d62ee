package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AdaptiveThrottleTest {

  private final ManualClock clock = new ManualClock();
  private double nextRandom = 0.5;

  private AdaptiveThrottle.Builder throttle() {
    return AdaptiveThrottle.builder().name("geo").ticker(clock).random(() -> nextRandom);
  }

  @Test
  void refusesLocallyOnceTheDependencyRefusesMostCalls() throws Exception {
    AdaptiveThrottle throttle = throttle().build();
    for (int i = 0; i < 99; i++) {
      failWith(throttle, new IOException("503"));
    }
    assertThat(throttle.rejectionProbability()).isEqualTo(99.0 / 100);
    assertThatThrownBy(() -> throttle.call(() -> "x")).isInstanceOf(ThrottledException.class)
        .hasMessageContaining("'geo' refused the call locally")
        .satisfies(e -> assertThat(((ThrottledException) e).retryAfter()).isEqualTo(Duration.ofSeconds(6)));
    nextRandom = 0.999; // the unlucky draw above p still goes through
    assertThat(throttle.call(() -> "sent")).isEqualTo("sent");

    clock.advance(Duration.ofMinutes(2).plusSeconds(6));
    assertThat(throttle.rejectionProbability()).as("the window forgets").isZero();
  }

  @Test
  void withKTwoNothingIsRefusedWhileHalfOfTheCallsAreAccepted() throws Exception {
    AdaptiveThrottle throttle = throttle().build();
    nextRandom = 0.0; // would refuse at any p > 0
    for (int i = 0; i < 100; i++) {
      assertThat(throttle.call(() -> "ok")).isEqualTo("ok");
      failWith(throttle, new TimeoutExceededException("t", Duration.ofSeconds(1)));
    }
    assertThat(throttle.rejectionProbability()).isZero();
    failWith(throttle, new IOException("one more"));
    assertThat(throttle.rejectionProbability()).isPositive();
  }

  @Test
  void businessErrorsCountAsAcceptedAndInnerRejectionsAsNotSent() throws Exception {
    AdaptiveThrottle throttle = throttle().k(1.0).build();
    failWith(throttle, new IllegalArgumentException("404"));
    assertThat(throttle.rejectionProbability()).isZero();
    for (int i = 0; i < 10; i++) {
      failWith(throttle, new RateLimitExceededException("local", 1));
    }
    assertThat(throttle.rejectionProbability()).isZero();
  }

  @Test
  void resultsCanMeanRejectedAndAsyncCallsAreCounted() throws Exception {
    AdaptiveThrottle throttle = throttle().rejectedOnResult(r -> Integer.valueOf(429).equals(r)).build();
    nextRandom = 0.999; // every call is sent
    for (int i = 0; i < 9; i++) {
      assertThat(throttle.call(() -> 429)).isEqualTo(429);
    }
    throttle.callAsync(() -> CompletableFuture.failedFuture(new IOException("x")));
    assertThat(throttle.rejectionProbability()).isEqualTo(10.0 / 11);
  }

  @Test
  void countsAcceptedAndThrottledCalls() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AdaptiveThrottle throttle = throttle().meterRegistry(registry).build();
    failWith(throttle, new IOException("x"));
    failWith(throttle, new IOException("x"));
    nextRandom = 0.0;
    assertThatThrownBy(() -> throttle.call(() -> "x")).isInstanceOf(ThrottledException.class);
    assertThat(registry.get("ballast.throttle.calls").tag("result", "accepted").counter().count()).isEqualTo(2);
    assertThat(registry.get("ballast.throttle.calls").tag("reason", "throttled").counter().count()).isEqualTo(1);
    assertThat(registry.get("ballast.throttle.probability").gauge().value()).isPositive();
  }

  @Test
  void rejectsBadSettingsNamingTheField() {
    assertThatThrownBy(() -> AdaptiveThrottle.builder().k(0.5).build()).hasMessageContaining("AdaptiveThrottle.k");
    assertThatThrownBy(() -> AdaptiveThrottle.builder().window(Duration.ofMillis(5)).build())
        .hasMessageContaining("AdaptiveThrottle.window");
  }

  @Property
  void theProbabilityIsTheBooksFormulaAndStaysBelowOne(@ForAll @LongRange(min = 0, max = 1_000_000) long requests,
      @ForAll @LongRange(min = 0, max = 1_000_000) long acceptsRaw, @ForAll @DoubleRange(min = 1, max = 10) double k) {
    long accepts = Math.min(acceptsRaw, requests);
    double p = SreAdaptiveThrottle.probability(requests, accepts, k);
    assertThat(p).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
    if (requests <= k * accepts) {
      assertThat(p).isZero();
    } else {
      assertThat(p).isCloseTo((requests - k * accepts) / (requests + 1), org.assertj.core.data.Offset.offset(1e-12));
    }
  }

  private static void failWith(AdaptiveThrottle throttle, Exception failure) {
    try {
      throttle.call(() -> {
        throw failure;
      });
    } catch (Exception expected) {
      // the failure itself, or a local refusal
    }
  }
}
