package dev.ballast.spring;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Registry;
import java.util.ArrayList;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.util.ClassUtils;

/**
 * Health of Ballast's components. Always UP: Ballast serves without Redis and in degraded modes, so a degraded
 * switchboard or an open breaker is a detail for the operator ({@code degraded}, {@code openCircuitBreakers}),
 * not a reason for a load balancer to take the instance out. The same holds for Redis: each Redis guard's state
 * (from the {@code ballast.redis.up} gauges of the meter registry Ballast reports to) is a detail ({@code redis},
 * and {@code redisDown} naming the components in an outage), never DOWN, since every component has a fallback.
 */
final class BallastHealthIndicator implements HealthIndicator {

  private static final boolean DEGRADATION =
      ClassUtils.isPresent("dev.ballast.degradation.Switchboard", BallastHealthIndicator.class.getClassLoader());

  /** The gauge every Redis guard (caches, switchboard, fleet limiters, queues) reports to: 1 up, 0 in an outage. */
  static final String REDIS_UP = "ballast.redis.up";

  private final Registry registry;
  private final @Nullable MeterRegistry meters;

  BallastHealthIndicator(Registry registry, @Nullable MeterRegistry meters) {
    this.registry = registry;
    this.meters = meters;
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
    if (meters != null) {
      redisGuards(health, meters);
    }
    return health.build();
  }

  /**
   * Each Redis guard's state by component ({@code redis}: {@code cache:products -> up}); the ones in an outage
   * also under {@code redisDown}. Still UP: the components serve their fallbacks while Redis is away.
   */
  private static void redisGuards(Health.Builder health, MeterRegistry meters) {
    Map<String, String> guards = new TreeMap<>();
    for (Gauge gauge : meters.find(REDIS_UP).gauges()) {
      String component = gauge.getId().getTag("component");
      if (component != null) {
        boolean down = gauge.value() < 1;
        guards.merge(component, down ? "down" : "up", (a, b) -> a.equals("down") ? a : b);
      }
    }
    if (!guards.isEmpty()) {
      health.withDetail("redis", guards);
      List<String> down = guards.entrySet().stream().filter(e -> e.getValue().equals("down")).map(Map.Entry::getKey)
          .toList();
      if (!down.isEmpty()) {
        health.withDetail("redisDown", down);
      }
    }
  }
}
