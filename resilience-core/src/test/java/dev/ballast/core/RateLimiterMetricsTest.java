package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.testsupport.ManualTicker;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Meters exist only with a registry, move with the outcomes, and carry low-cardinality tags only. */
class RateLimiterMetricsTest {

  private final ManualTicker now = new ManualTicker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double permits(String name, String result) {
    return registry.get("ballast.ratelimiter.permits").tag("name", name).tag("result", result).counter().count();
  }

  @Test
  void countersMoveWithGrantsAndRefusals() throws Exception {
    RateLimiter limiter = RateLimiter.builder()
        .name("api").capacity(5).refill(5, Duration.ofSeconds(1)).ticker(now::read).meterRegistry(registry).build();
    limiter.tryAcquire(3);
    limiter.tryAcquire(3);
    assertThat(permits("api", "granted")).isEqualTo(3);
    assertThat(permits("api", "refused")).isEqualTo(3);
    assertThat(registry.get("ballast.ratelimiter.available").tag("name", "api").gauge().value()).isEqualTo(2);

    limiter.call(() -> "ok");
    assertThat(limiter.acquire(1, Duration.ZERO)).isTrue();
    assertThatThrownBy(() -> limiter.call(() -> "no")).isInstanceOf(RateLimitExceededException.class);
    assertThat(limiter.callAsync(() -> java.util.concurrent.CompletableFuture.completedFuture("no")))
        .isCompletedExceptionally();
    assertThat(permits("api", "granted")).isEqualTo(5);
    assertThat(permits("api", "refused")).isEqualTo(5);
    assertThat(registry.get("ballast.ratelimiter.available").gauge().value()).isZero();
  }

  @Test
  void anUnmeteredLimiterRegistersNothingAndIsThePlainImplementation() {
    RateLimiter plain = RateLimiter.builder().capacity(5).build();
    assertThat(plain.getClass()).isEqualTo(TokenBucketRateLimiter.class);
    KeyedRateLimiter<String> keyed = KeyedRateLimiter.builder().capacity(5).build();
    assertThat(keyed.getClass()).isEqualTo(CaffeineKeyedRateLimiter.class);
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void keyedCountersAndKeyGaugeNeverCarryAKey() {
    KeyedRateLimiter<String> limiter = KeyedRateLimiter.builder()
        .name("per-user").capacity(1).ticker(now::read).meterRegistry(registry).build();
    limiter.tryAcquire("alice");
    limiter.tryAcquire("alice");
    limiter.tryAcquire("bob");
    assertThat(permits("per-user", "granted")).isEqualTo(2);
    assertThat(permits("per-user", "refused")).isEqualTo(1);
    assertThat(registry.get("ballast.ratelimiter.keys").tag("name", "per-user").gauge().value()).isEqualTo(2);

    Set<String> tagKeys = registry.getMeters().stream()
        .flatMap(m -> m.getId().getTags().stream()).map(Tag::getKey).collect(Collectors.toSet());
    Set<String> tagValues = registry.getMeters().stream()
        .flatMap(m -> m.getId().getTags().stream()).map(Tag::getValue).collect(Collectors.toSet());
    assertThat(tagKeys).containsOnly("name", "result");
    assertThat(tagValues).doesNotContain("alice", "bob");
    assertThat(registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName))
        .doesNotContain("ballast.ratelimiter.available");
  }
}
