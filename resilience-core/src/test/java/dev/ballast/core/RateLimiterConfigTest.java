package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Bad input names its field; builders fail fast on options set twice; toBuilder overrides once. */
class RateLimiterConfigTest {

  private static RateLimiterConfig.Builder valid() {
    return RateLimiterConfig.builder().name("x").capacity(10);
  }

  private static void assertRejected(Consumer<RateLimiterConfig.Builder> change, String field) {
    RateLimiterConfig.Builder builder = valid();
    change.accept(builder);
    assertThatThrownBy(builder::build)
        .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
        .hasMessageContaining("RateLimiter." + field);
  }

  @Test
  void eachBadFieldIsNamedInTheMessage() {
    assertThatThrownBy(() -> RateLimiterConfig.builder().name(" ").capacity(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RateLimiter.name");
    assertThatThrownBy(() -> RateLimiterConfig.builder().name(null).capacity(1).build())
        .isInstanceOf(NullPointerException.class).hasMessageContaining("RateLimiter.name");
    assertThatThrownBy(() -> RateLimiterConfig.builder().capacity(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("RateLimiter.capacity must be at least 1, was 0");
    assertRejected(b -> b.refill(0, Duration.ofSeconds(1)), "refillPermits");
    assertRejected(b -> b.refill(-5, Duration.ofSeconds(1)), "refillPermits");
    assertRejected(b -> b.refill(1, Duration.ZERO), "refillPeriod");
    assertRejected(b -> b.refill(1, Duration.ofSeconds(-1)), "refillPeriod");
    assertRejected(b -> b.refill(1, null), "refillPeriod");
    assertRejected(b -> b.maxWait(Duration.ofMillis(-1)), "maxWait");
    assertRejected(b -> b.maxWait(null), "maxWait");
    assertRejected(b -> b.initialPermits(-1), "initialPermits");
    assertRejected(b -> b.initialPermits(11), "initialPermits");
  }

  @Test
  void aBucketTooLargeForItsRateIsRejectedWithTheLargestCapacityThatFits() {
    // One permit per day: capacity × 86 400 s must stay within 2^61 ns (about 73 years).
    assertThatThrownBy(() -> RateLimiterConfig.builder().capacity(1_000_000).refill(1, Duration.ofDays(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RateLimiter.capacity must be at most 26687")
        .hasMessageContaining("was 1000000");
    assertThatThrownBy(() -> RateLimiterConfig.builder().capacity(1).refill(1, Duration.ofDays(365L * 200)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RateLimiter.refillPeriod");
  }

  @Test
  void theRecordValidatesToo() {
    assertThatThrownBy(() -> new RateLimiterConfig("x", 5, 1, Duration.ofSeconds(1), Duration.ZERO, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RateLimiter.initialPermits");
  }

  @Test
  void theCapacityIsRequired() {
    assertThatThrownBy(() -> RateLimiterConfig.builder().name("x").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.capacity");
    assertThatThrownBy(() -> RateLimiter.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.capacity");
  }

  @Test
  void defaultsAreAFullBucketRefilledAtItsCapacityPerSecondThatNeverWaits() {
    RateLimiterConfig config = RateLimiterConfig.builder().capacity(50).build();
    assertThat(config).isEqualTo(new RateLimiterConfig("default", 50, 50, Duration.ofSeconds(1), Duration.ZERO, 50));
  }

  @Test
  void everyOptionSetTwiceFailsFast() {
    assertThatThrownBy(() -> RateLimiterConfig.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.name");
    assertThatThrownBy(() -> RateLimiterConfig.builder().capacity(1).capacity(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.capacity");
    assertThatThrownBy(() -> RateLimiterConfig.builder().refill(1, Duration.ofSeconds(1)).refill(2, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.refill");
    assertThatThrownBy(() -> RateLimiterConfig.builder().maxWait(Duration.ZERO).maxWait(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.maxWait");
    assertThatThrownBy(() -> RateLimiterConfig.builder().initialPermits(1).initialPermits(1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.initialPermits");

    assertThatThrownBy(() -> RateLimiter.builder().capacity(1).capacity(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.capacity");
    assertThatThrownBy(() -> RateLimiter.builder().ticker(() -> 0).ticker(() -> 0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.ticker");
    assertThatThrownBy(() -> RateLimiter.builder().sleeper(n -> { }).sleeper(n -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.sleeper");
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(() -> RateLimiter.builder().scheduler(scheduler).scheduler(scheduler))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.scheduler");
    } finally {
      scheduler.shutdownNow();
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    assertThatThrownBy(() -> RateLimiter.builder().meterRegistry(registry).meterRegistry(registry))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.meterRegistry");
    RateLimiterConfig config = valid().build();
    assertThatThrownBy(() -> RateLimiter.builder().config(config).config(config))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.config");
  }

  @Test
  void nullCollaboratorsAreNamed() {
    assertThatThrownBy(() -> RateLimiter.builder().ticker(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("RateLimiter.ticker");
    assertThatThrownBy(() -> RateLimiter.builder().sleeper(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("RateLimiter.sleeper");
    assertThatThrownBy(() -> RateLimiter.builder().scheduler(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("RateLimiter.scheduler");
    assertThatThrownBy(() -> RateLimiter.builder().meterRegistry(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("RateLimiter.meterRegistry");
    assertThatThrownBy(() -> RateLimiter.builder().config(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("RateLimiter.config");
  }

  @Test
  void toBuilderKeepsEverythingAndAllowsOneOverridePerOption() {
    RateLimiterConfig original = RateLimiterConfig.builder()
        .name("orig").capacity(10).refill(7, Duration.ofMillis(100)).maxWait(Duration.ofSeconds(2))
        .initialPermits(3).build();
    assertThat(original.toBuilder().build()).isEqualTo(original);

    RateLimiterConfig.Builder copy = original.toBuilder().capacity(20);
    assertThatThrownBy(() -> copy.capacity(30)).isInstanceOf(IllegalStateException.class);
    RateLimiterConfig changed = copy.name("copy").build();
    assertThat(changed).isEqualTo(new RateLimiterConfig("copy", 20, 7, Duration.ofMillis(100), Duration.ofSeconds(2), 3));
  }

  @Test
  void aFullBucketStaysFullWhenACopyChangesTheCapacity() {
    RateLimiterConfig full = RateLimiterConfig.builder().capacity(10).build();
    assertThat(full.toBuilder().capacity(100).build().initialPermits()).isEqualTo(100);
    assertThat(full.toBuilder().capacity(5).build().initialPermits()).isEqualTo(5);
  }

  @Test
  void theLimiterBuilderStartsFromAConfigAndOverridesIt() {
    RateLimiterConfig base = RateLimiterConfig.builder().name("base").capacity(10).build();
    RateLimiter limiter = RateLimiter.builder().config(base).capacity(3).ticker(() -> 0).build();
    assertThat(limiter.config()).isEqualTo(new RateLimiterConfig("base", 3, 10, Duration.ofSeconds(1), Duration.ZERO, 3));
    assertThatThrownBy(() -> RateLimiter.builder().capacity(3).config(base))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RateLimiter.config");
  }
}
