package dev.ballast.spring;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Registry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.util.ClassUtils;

/**
 * Health of Ballast's components. Always UP: Ballast serves without Redis and in degraded modes, so a degraded
 * switchboard or an open breaker is a detail for the operator ({@code degraded}, {@code openCircuitBreakers}),
 * not a reason for a load balancer to take the instance out.
 */
final class BallastHealthIndicator implements HealthIndicator {

  private static final boolean DEGRADATION =
      ClassUtils.isPresent("dev.ballast.degradation.Switchboard", BallastHealthIndicator.class.getClassLoader());

  private final Registry registry;

  BallastHealthIndicator(Registry registry) {
    this.registry = registry;
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up();
    List<String> open = new ArrayList<>();
    for (String name : registry.namesOf(CircuitBreaker.class)) {
      CircuitBreaker.State state = registry.get(name, CircuitBreaker.class).state();
      if (state != CircuitBreaker.State.CLOSED) {
        open.add(name + ": " + state);
      }
    }
    if (!open.isEmpty()) {
      health.withDetail("openCircuitBreakers", open);
    }
    if (DEGRADATION) {
      var degraded = SwitchboardView.degraded(registry);
      if (!degraded.isEmpty()) {
        health.withDetail("degraded", degraded);
      }
    }
    return health.build();
  }
}
