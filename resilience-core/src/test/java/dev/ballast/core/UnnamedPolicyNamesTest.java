package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two policies built without a name get different, readable names, so their meters never merge. */
class UnnamedPolicyNamesTest {

  @Test
  void twoUnnamedRetriesCountTheirCallsApart() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Retry first = Retry.builder().maxAttempts(1).meterRegistry(registry).build();
    Retry second = Retry.builder().maxAttempts(1).meterRegistry(registry).build();

    assertThat(first.config().name()).matches("retry-\\d+");
    assertThat(second.config().name()).matches("retry-\\d+").isNotEqualTo(first.config().name());

    first.call(() -> "a");
    second.call(() -> "b");
    second.call(() -> "c");
    assertThat(registry.get("ballast.retry.calls").tag("name", first.config().name())
        .tag("kind", "successful_without_retry").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("ballast.retry.calls").tag("name", second.config().name())
        .tag("kind", "successful_without_retry").counter().count()).isEqualTo(2.0);
  }

  @Test
  void twoUnnamedTimeoutsCountTheirCallsApart() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Timeout first = Timeout.builder().limit(Duration.ofMinutes(1)).meterRegistry(registry).build();
    Timeout second = Timeout.builder().limit(Duration.ofMinutes(1)).meterRegistry(registry).build();

    assertThat(first.config().name()).matches("timeout-\\d+");
    assertThat(second.config().name()).matches("timeout-\\d+").isNotEqualTo(first.config().name());
    assertThat(Timeout.of(Duration.ofSeconds(1)).config().name())
        .isNotIn(first.config().name(), second.config().name());

    first.call(() -> "a");
    assertThat(registry.find("ballast.timeout.calls").tag("name", second.config().name()).counters())
        .allSatisfy(counter -> assertThat(counter.count()).isZero());
    assertThat(registry.find("ballast.timeout.calls").tag("name", first.config().name()).counters())
        .anySatisfy(counter -> assertThat(counter.count()).isEqualTo(1.0));
  }

  @Test
  void aNamedPolicyKeepsItsNameAndANullNameIsRefused() {
    assertThat(Retry.builder().name("payments").build().config().name()).isEqualTo("payments");
    assertThatThrownBy(() -> Retry.builder().name(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Retry.name");
    assertThatThrownBy(() -> Timeout.builder().name(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Timeout.name");
  }

  @Test
  void unnamedLoadSheddingPoliciesGetDistinctNamesOfTheirKind() {
    Bulkhead b1 = Bulkhead.builder().maxConcurrentCalls(1).build();
    Bulkhead b2 = Bulkhead.builder().maxConcurrentCalls(1).build();
    assertThat(b1.name()).startsWith("bulkhead-").isNotEqualTo(b2.name());
    ConcurrencyLimiter c1 = ConcurrencyLimiter.builder().build();
    ConcurrencyLimiter c2 = ConcurrencyLimiter.builder().build();
    assertThat(c1.name()).startsWith("concurrency-").isNotEqualTo(c2.name());
    AdaptiveThrottle t1 = AdaptiveThrottle.builder().build();
    AdaptiveThrottle t2 = AdaptiveThrottle.builder().build();
    assertThat(t1.name()).startsWith("throttle-").isNotEqualTo(t2.name());
    for (Runnable nullName : List.<Runnable>of(() -> Bulkhead.builder().name(null),
        () -> ConcurrencyLimiter.builder().name(null), () -> AdaptiveThrottle.builder().name(null))) {
      assertThatThrownBy(nullName::run).isInstanceOf(NullPointerException.class).hasMessageContaining(".name");
    }
  }
}
