package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerMetricsTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ManualTicker now = new ManualTicker();
  private final CircuitBreaker breaker = CircuitBreaker.builder().name("metered").ticker(now::read)
      .meterRegistry(registry).countWindow(5).minimumCalls(5)
      .slowCallDuration(Duration.ofSeconds(1)).ignoreExceptions(IllegalArgumentException.class).build();

  @Test
  void countsEveryOutcome() throws Exception {
    breaker.call(() -> 1);
    breaker.onSuccess(2 * SECOND);
    breaker.onError(0, new IllegalStateException("failure"));
    breaker.onError(0, new IllegalArgumentException("ignored"));
    breaker.onError(2 * SECOND, new IllegalStateException("slow failure"));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    breaker.tryAcquirePermission();
    breaker.forceOpen();
    breaker.tryAcquirePermission();

    assertThat(calls("success")).isEqualTo(1);
    assertThat(calls("slow_success")).isEqualTo(1);
    assertThat(calls("failure")).isEqualTo(1);
    assertThat(calls("ignored")).isEqualTo(1);
    assertThat(calls("slow_failure")).isEqualTo(1);
    assertThat(calls("rejected")).isEqualTo(1);
  }

  @Test
  void stateGaugesShowTheCurrentState() {
    assertThat(state("closed")).isEqualTo(1);
    assertThat(state("open")).isZero();
    for (int i = 0; i < 5; i++) {
      breaker.onError(0, new IllegalStateException("failure"));
    }
    assertThat(state("closed")).isZero();
    assertThat(state("open")).isEqualTo(1);
    assertThat(state("half_open")).isZero();
    assertThat(state("forced_open")).isZero();
    assertThat(state("disabled")).isZero();
    assertThat(registry.get("ballast.circuitbreaker.failure.rate").tag("name", "metered").gauge().value())
        .as("percent, as the field's dashboards read it").isEqualTo(100.0);
  }

  @Test
  void rateGaugesFollowTheWindowInPercent() {
    assertThat(gauge("ballast.circuitbreaker.failure.rate")).isZero();
    assertThat(gauge("ballast.circuitbreaker.buffered.calls")).isZero();
    breaker.onSuccess(0);
    breaker.onError(0, new IllegalStateException("failure"));
    breaker.onSuccess(2 * SECOND);
    breaker.onError(0, new IllegalStateException("failure"));
    assertThat(gauge("ballast.circuitbreaker.failure.rate")).isEqualTo(50.0);
    assertThat(gauge("ballast.circuitbreaker.slow.call.rate")).isEqualTo(25.0);
    assertThat(gauge("ballast.circuitbreaker.buffered.calls")).isEqualTo(4.0);
    assertThat(registry.get("ballast.circuitbreaker.failure.rate").gauge().getId().getBaseUnit())
        .isEqualTo("percent");
  }

  @Test
  void callLatencyIsRecordedPerOutcome() throws Exception {
    breaker.onSuccess(3 * SECOND);
    breaker.onSuccess(SECOND / 2);
    breaker.onError(2 * SECOND, new IllegalStateException("slow failure"));
    breaker.forceOpen();
    breaker.tryAcquirePermission();

    assertThat(timer("slow_success").totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(3000.0);
    assertThat(timer("success").totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(500.0);
    assertThat(timer("slow_failure").max(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(2.0);
    assertThat(timer("rejected").count()).isEqualTo(1);
    assertThat(timer("rejected").totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
        .as("a rejected call never reached the dependency").isZero();
  }

  @Test
  void decoratedCallsAreTimedWithTheBreakersTicker() throws Exception {
    breaker.call(() -> now.advanceNanos(SECOND / 4));
    assertThat(timer("success").totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(250.0);
  }

  @Test
  void anUnmeteredBreakerRegistersNothing() {
    CircuitBreaker.ofDefaults("plain").onSuccess(0);
    assertThat(Metrics.globalRegistry.find("ballast.circuitbreaker.calls").tag("name", "plain").meters())
        .isEmpty();
  }

  private double calls(String outcome) {
    return timer(outcome).count();
  }

  private io.micrometer.core.instrument.Timer timer(String outcome) {
    return registry.get("ballast.circuitbreaker.calls").tag("name", "metered").tag("outcome", outcome).timer();
  }

  private double gauge(String name) {
    return registry.get(name).tag("name", "metered").gauge().value();
  }

  private double state(String state) {
    return registry.get("ballast.circuitbreaker.state").tag("name", "metered").tag("state", state)
        .gauge().value();
  }
}
