package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.CircuitBreakerConfig.WindowType;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

class CircuitBreakerConfigTest {

  @Test
  void hasSaneDefaults() {
    CircuitBreakerConfig config = CircuitBreaker.ofDefaults("inventory").config();
    assertThat(config.name()).isEqualTo("inventory");
    assertThat(config.windowType()).isEqualTo(WindowType.COUNT);
    assertThat(config.windowSize()).isEqualTo(100);
    assertThat(config.windowDuration()).isNull();
    assertThat(config.failureRateThreshold()).isEqualTo(0.5);
    assertThat(config.slowCallRateThreshold()).isEqualTo(1.0);
    assertThat(config.slowCallTrippingEnabled()).isFalse();
    assertThat(config.slowCallDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.minimumCalls()).isEqualTo(20);
    assertThat(config.openDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.halfOpenProbes()).isEqualTo(5);
    assertThat(config.maxHalfOpenDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.recordFailure().test(new RuntimeException())).isTrue();
    assertThat(config.ignoredExceptions()).isEmpty();
  }

  static Stream<Arguments> badOptions() {
    return Stream.of(
        bad("countWindow", b -> b.countWindow(0)),
        bad("timeWindow", b -> b.timeWindow(Duration.ZERO)),
        bad("timeWindow.buckets", b -> b.timeWindow(Duration.ofSeconds(1), 0)),
        bad("windowSize", b -> b.timeWindow(Duration.ofNanos(3), 4)),
        bad("failureRateThreshold", b -> b.failureRateThreshold(0)),
        bad("failureRateThreshold", b -> b.failureRateThreshold(1.01)),
        bad("failureRateThreshold", b -> b.failureRateThreshold(Double.NaN)),
        bad("slowCallRateThreshold", b -> b.slowCallRateThreshold(-0.1)),
        bad("slowCallDuration", b -> b.slowCallDuration(Duration.ZERO)),
        bad("slowCallDuration", b -> b.slowCallDuration(null)),
        bad("minimumCalls", b -> b.minimumCalls(0)),
        bad("openDuration", b -> b.openDuration(Duration.ofSeconds(-1))),
        bad("halfOpenProbes", b -> b.halfOpenProbes(0)),
        bad("maxHalfOpenDuration", b -> b.maxHalfOpenDuration(Duration.ofMillis(-1))),
        bad("maxHalfOpenDuration", b -> b.maxHalfOpenDuration(null)),
        bad("maxHalfOpenDuration", b -> b.maxHalfOpenDuration(Duration.ZERO)),
        bad("recordFailure", b -> b.recordFailure(null)),
        bad("ignoreExceptions[]", b -> b.ignoreExceptions(IllegalStateException.class, null)),
        bad("ticker", b -> b.ticker(null)));
  }

  private static Arguments bad(String field, UnaryOperator<CircuitBreakerBuilder> option) {
    return Arguments.of(field, option);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void badValuesAreRejectedNamingTheField(String field, UnaryOperator<CircuitBreakerBuilder> option) {
    assertThatThrownBy(() -> option.apply(CircuitBreaker.builder().name("x")).build())
        .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
        .hasMessageStartingWith("CircuitBreaker." + field + " ");
  }

  @Test
  void theNameIsRequired() {
    assertThatThrownBy(() -> CircuitBreaker.builder().build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("CircuitBreaker.name must not be null");
    assertThatThrownBy(() -> CircuitBreaker.builder().name(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CircuitBreaker.name must not be blank");
  }

  @Test
  void theRecordValidatesOnItsOwn() {
    assertThatThrownBy(() -> new CircuitBreakerConfig("x", WindowType.COUNT, 10, Duration.ofSeconds(1),
        0.5, 1.0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, null, e -> true, Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CircuitBreaker.windowDuration must be null for a COUNT window");
    assertThatThrownBy(() -> new CircuitBreakerConfig("x", null, 10, null,
        0.5, 1.0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, null, e -> true, Set.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("CircuitBreaker.windowType must not be null");
  }

  @Test
  void theRecordCopiesTheIgnoredExceptions() {
    Set<Class<? extends Throwable>> ignored = new HashSet<>();
    ignored.add(IllegalArgumentException.class);
    CircuitBreakerConfig config = new CircuitBreakerConfig("x", WindowType.COUNT, 10, null,
        0.5, 1.0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, null, e -> true, ignored);
    ignored.add(IllegalStateException.class);
    assertThat(config.ignoredExceptions()).containsExactly(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.ignoredExceptions().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void anOptionSetTwiceIsAMistake() {
    assertThatThrownBy(() -> CircuitBreaker.builder().name("x").failureRateThreshold(0.2).failureRateThreshold(0.3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("CircuitBreaker.failureRateThreshold");
    assertThatThrownBy(() -> CircuitBreaker.builder().countWindow(10).countWindow(20))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("CircuitBreaker.countWindow was already set on this builder");
  }

  @Test
  void countAndTimeWindowsConflict() {
    assertThatThrownBy(() -> CircuitBreaker.builder().countWindow(10).timeWindow(Duration.ofSeconds(10)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("CircuitBreaker.timeWindow conflicts with countWindow, already set on this builder");
    assertThatThrownBy(() -> CircuitBreaker.builder().timeWindow(Duration.ofSeconds(10)).countWindow(10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conflicts with timeWindow");
  }

  @Test
  void toBuilderCopiesEverythingAndAllowsOneOverride() {
    CircuitBreaker original = CircuitBreaker.builder().name("a").countWindow(50).failureRateThreshold(0.3)
        .halfOpenProbes(2).maxHalfOpenDuration(Duration.ofSeconds(5))
        .ignoreExceptions(IllegalArgumentException.class).build();

    CircuitBreakerBuilder copy = original.toBuilder().failureRateThreshold(0.7);
    CircuitBreaker changed = copy.build();

    assertThat(changed.config().failureRateThreshold()).isEqualTo(0.7);
    assertThat(changed.config().windowSize()).isEqualTo(50);
    assertThat(changed.config().halfOpenProbes()).isEqualTo(2);
    assertThat(changed.config().maxHalfOpenDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(original.toBuilder().withoutMaxHalfOpenDuration().build().config().maxHalfOpenDuration())
        .as("overridable once, and waiting forever is said explicitly").isNull();
    assertThat(changed.config().ignoredExceptions()).containsExactly(IllegalArgumentException.class);
    assertThat(original.config().failureRateThreshold()).isEqualTo(0.3);
    assertThatThrownBy(() -> copy.failureRateThreshold(0.8)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void toBuilderMaySwitchTheWindowOnce() {
    CircuitBreaker timed = CircuitBreaker.ofDefaults("a").toBuilder().timeWindow(Duration.ofSeconds(5)).build();
    assertThat(timed.config().windowType()).isEqualTo(WindowType.TIME);
    assertThat(timed.config().windowSize()).isEqualTo(5);
    assertThat(timed.config().windowDuration()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void timeWindowsGetOneSecondBucketsWithinLimits() {
    assertThat(buckets(Duration.ofMillis(500))).isEqualTo(1);
    assertThat(buckets(Duration.ofSeconds(10))).isEqualTo(10);
    assertThat(buckets(Duration.ofMinutes(5))).isEqualTo(60);
  }

  @Test
  void aBreakerCanBeMadeFromAConfig() {
    CircuitBreakerConfig config = CircuitBreaker.builder().name("from-config").countWindow(7).build().config();
    CircuitBreaker breaker = CircuitBreaker.of(config);
    assertThat(breaker.config()).isEqualTo(config);
    assertThat(breaker.name()).isEqualTo("from-config");
    assertThat(breaker.toString()).contains("from-config", "CLOSED");
  }

  private static int buckets(Duration window) {
    return CircuitBreaker.builder().name("b").timeWindow(window).build().config().windowSize();
  }
}
