package dev.ballast.core;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A breaker's Micrometer meters (the names, tags and units are listed in docs/metrics.md):
 * <ul>
 *   <li>{@code ballast.circuitbreaker.calls{name,outcome}}: a timer of every call by outcome
 *       ({@code success}, {@code slow_success}, {@code failure}, {@code slow_failure}, {@code ignored},
 *       {@code rejected}); a rejected call never reached the dependency and is recorded as taking 0 s;</li>
 *   <li>{@code ballast.circuitbreaker.state{name,state}}: 1 for the current state, else 0;</li>
 *   <li>{@code ballast.circuitbreaker.failure.rate} and {@code ballast.circuitbreaker.slow.call.rate}
 *       {@code {name}}: in percent, 0 to 100, as the field's dashboards expect, over the calls the current
 *       state judges by (0 when it holds none);</li>
 *   <li>{@code ballast.circuitbreaker.buffered.calls{name}}: how many calls that is.</li>
 * </ul>
 * Only metered breakers have one; timers are resolved once, so recording is one array load and one
 * timer update.
 */
final class BreakerMeters {

  private final Timer[] calls;

  BreakerMeters(MeterRegistry registry, String name) {
    calls = new Timer[BreakerOutcome.count()];
    for (int outcome = 0; outcome < calls.length; outcome++) {
      calls[outcome] = Timer.builder("ballast.circuitbreaker.calls")
          .description("Calls through the circuit breaker and how long they took, by outcome")
          .tag("name", name)
          .tag("outcome", BreakerOutcome.tag(outcome))
          .register(registry);
    }
  }

  void record(int outcome, long durationNanos) {
    calls[outcome].record(durationNanos, TimeUnit.NANOSECONDS);
  }

  /** Registers the gauges; separate from the constructor so the breaker is complete when first read. */
  static void bindGauges(MeterRegistry registry, CircuitBreaker breaker) {
    for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
      Gauge.builder("ballast.circuitbreaker.state", breaker, b -> b.state() == state ? 1 : 0)
          .description("1 for the circuit breaker's current state, 0 for the others")
          .tag("name", breaker.name())
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    gauge(registry, breaker, "ballast.circuitbreaker.failure.rate", "percent",
        "Failed calls over the calls the current state judges by, in percent (0-100)",
        b -> 100.0 * b.snapshot().failureRate());
    gauge(registry, breaker, "ballast.circuitbreaker.slow.call.rate", "percent",
        "Slow calls over the calls the current state judges by, in percent (0-100)",
        b -> 100.0 * b.snapshot().slowCallRate());
    gauge(registry, breaker, "ballast.circuitbreaker.buffered.calls", "calls",
        "Calls in the window (closed, open) or probes that reported (half-open)",
        b -> b.snapshot().bufferedCalls());
  }

  private static void gauge(MeterRegistry registry, CircuitBreaker breaker, String name, String unit,
      String description, ToDoubleFunction<CircuitBreaker> value) {
    Gauge.builder(name, breaker, value).description(description).baseUnit(unit).tag("name", breaker.name())
        .register(registry);
  }
}
