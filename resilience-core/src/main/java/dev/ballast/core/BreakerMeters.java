package dev.ballast.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * A breaker's Micrometer meters: a {@code ballast.circuitbreaker.calls} counter per outcome, a
 * {@code ballast.circuitbreaker.state} gauge per state (1 for the current one, else 0) and a
 * {@code ballast.circuitbreaker.failure.rate} gauge. Only metered breakers have one; counters are
 * resolved once, so counting is one array load and one increment.
 */
final class BreakerMeters {

  private final Counter[] calls;

  BreakerMeters(MeterRegistry registry, String name) {
    calls = new Counter[BreakerOutcome.count()];
    for (int outcome = 0; outcome < calls.length; outcome++) {
      calls[outcome] = Counter.builder("ballast.circuitbreaker.calls")
          .description("Calls through the circuit breaker, by outcome")
          .tag("name", name)
          .tag("outcome", BreakerOutcome.tag(outcome))
          .register(registry);
    }
  }

  void count(int outcome) {
    calls[outcome].increment();
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
    Gauge.builder("ballast.circuitbreaker.failure.rate", breaker, b -> b.snapshot().failureRate())
        .description("Failed calls over calls in the current window or probe set")
        .tag("name", breaker.name())
        .register(registry);
  }
}
