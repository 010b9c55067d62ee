package dev.ballast.degradation;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.internal.Check;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.DoubleSupplier;

/**
 * A number a {@link Trigger} watches, read on every {@link Switchboard#evaluate()}. {@link Double#NaN}
 * means "no opinion" (too little data, the gauge is gone): the trigger keeps its position.
 *
 * <pre>{@code
 * LatencyRecorder latency = LatencyRecorder.of(Duration.ofMinutes(1), Ticker.system());
 * Signal p95 = Signal.latencyMillis(latency, 95.0, 20);
 * Signal backlog = Signal.of("oldest job age s", () -> queue.oldestAgeSeconds());
 * }</pre>
 *
 * Implementations must be thread-safe and quick: they run on the evaluation schedule.
 */
@FunctionalInterface
public interface Signal {

  /** The current value, or NaN when there is nothing to judge by. */
  double read();

  /** What the value is, for logs and reasons, e.g. {@code "p95 latency ms"}. */
  default String description() {
    return "signal";
  }

  /**
   * Any number, e.g. a queue's oldest job age.
   *
   * @throws NullPointerException if an argument is null
   */
  static Signal of(String description, DoubleSupplier source) {
    Check.notNull(description, "Signal.description");
    Check.notNull(source, "Signal.source");
    return new Signal() {
      @Override
      public double read() {
        return source.getAsDouble();
      }

      @Override
      public String description() {
        return description;
      }
    };
  }

  /**
   * A latency percentile in milliseconds over the recorder's sliding window; NaN while it holds fewer than
   * {@code minimumCalls} values, so a few slow calls (a cold start, a quiet night) cannot decide alone.
   *
   * @param percentile in (0, 100], e.g. 95.0
   * @param minimumCalls values the window must hold before the percentile counts (at least 1)
   * @throws IllegalArgumentException if {@code percentile} or {@code minimumCalls} is out of range
   */
  static Signal latencyMillis(LatencyRecorder recorder, double percentile, long minimumCalls) {
    Check.notNull(recorder, "Signal.recorder");
    if (!(percentile > 0.0 && percentile <= 100.0)) {
      throw new IllegalArgumentException("Signal.percentile must be in (0, 100], was " + percentile);
    }
    Check.atLeast(minimumCalls, 1, "Signal.minimumCalls");
    return of("p" + (percentile == Math.rint(percentile) ? String.valueOf((long) percentile) : percentile)
        + " latency ms", () -> recorder.count() < minimumCalls ? Double.NaN : recorder.percentileMillis(percentile));
  }

  /**
   * The share of failed calls in the recorder's sliding window, in [0, 1]; NaN while fewer than
   * {@code minimumCalls} calls are in it.
   *
   * @throws IllegalArgumentException if {@code minimumCalls} is below 1
   */
  static Signal errorRatio(OutcomeRecorder recorder, int minimumCalls) {
    Check.notNull(recorder, "Signal.recorder");
    Check.atLeast(minimumCalls, 1, "Signal.minimumCalls");
    return of("error ratio", () -> recorder.errorRatio(minimumCalls));
  }

  /** 1 while {@code breaker} rejects or probes (open, forced open, half-open), else 0. */
  static Signal breakerOpen(CircuitBreaker breaker) {
    Check.notNull(breaker, "Signal.breaker");
    return of("breaker " + breaker.name() + " open", () -> switch (breaker.state()) {
      case OPEN, FORCED_OPEN, HALF_OPEN -> 1.0;
      case CLOSED, DISABLED -> 0.0;
    });
  }

  /**
   * The value of the Micrometer gauge {@code name} with {@code tags} (key, value pairs), looked up on
   * every read; NaN while no such gauge is registered.
   *
   * @throws IllegalArgumentException if {@code tags} has an odd length
   */
  static Signal gauge(MeterRegistry registry, String name, String... tags) {
    Check.notNull(registry, "Signal.registry");
    Check.notBlank(name, "Signal.gauge name");
    Check.notNull(tags, "Signal.tags");
    if (tags.length % 2 != 0) {
      throw new IllegalArgumentException("Signal.tags must be key, value pairs, got " + tags.length + " strings");
    }
    String[] copy = tags.clone();
    return of("gauge " + name, () -> {
      Gauge gauge = registry.find(name).tags(copy).gauge();
      return gauge == null ? Double.NaN : gauge.value();
    });
  }
}
