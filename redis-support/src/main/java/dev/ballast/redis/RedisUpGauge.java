package dev.ballast.redis;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The gauge {@code ballast.redis.up{component}} of one component on one registry, shared by every live
 * {@link RedisGuard} of that component there: 0 while any of them is in an outage, else 1.
 *
 * <p>Why shared: Micrometer keeps the first gauge registered under an id and hands it back to later
 * registrations, so a gauge per guard would report only the first guard of a name (two caches named
 * {@code products} in one JVM, a cache re-created in a long-lived process), and that one forever, even
 * after it was closed.
 *
 * <p>Design: a static map from registry to component to holder. Registries are held weakly, so one the
 * application dropped is not kept alive here; a holder holds its guards weakly too (a guard dropped
 * without {@link RedisGuard#close()} stops counting once collected), and it keeps the gauge's id rather
 * than the gauge, so nothing in an entry reaches back to its key. Joining and leaving (rare) take the
 * map's lock; a scrape takes only its holder's lock on the guard set. The last guard to leave removes the
 * gauge from the registry and the holder from the map: a component with no live guard reports nothing,
 * and a later guard of that name starts afresh.
 */
final class RedisUpGauge {

  private static final Map<MeterRegistry, Map<String, RedisUpGauge>> HOLDERS = new WeakHashMap<>();

  private final String component;
  private final Set<RedisGuard> guards = Collections.newSetFromMap(new WeakHashMap<>());
  private final Meter.Id gaugeId;

  private RedisUpGauge(MeterRegistry registry, String component) {
    this.component = component;
    // The gauge holds this holder weakly (Micrometer's default); the static map keeps it alive.
    this.gaugeId = Gauge.builder("ballast.redis.up", this, RedisUpGauge::value)
        .description("1 while Redis answers every live guard of the component, 0 while one is in an outage")
        .tag("component", component)
        .register(registry)
        .getId();
  }

  /** Adds {@code guard} to its component's gauge on {@code registry}, creating the gauge if need be. */
  static RedisUpGauge join(MeterRegistry registry, String component, RedisGuard guard) {
    synchronized (HOLDERS) {
      RedisUpGauge holder = HOLDERS.computeIfAbsent(registry, r -> new HashMap<>())
          .computeIfAbsent(component, c -> new RedisUpGauge(registry, c));
      synchronized (holder.guards) {
        holder.guards.add(guard);
      }
      return holder;
    }
  }

  /** Takes {@code guard} out; the last one out removes the gauge. Calling it twice is harmless. */
  void leave(MeterRegistry registry, RedisGuard guard) {
    synchronized (HOLDERS) {
      synchronized (guards) {
        guards.remove(guard);
        if (!guards.isEmpty()) {
          return;
        }
      }
      Map<String, RedisUpGauge> byComponent = HOLDERS.get(registry);
      if (byComponent == null || byComponent.get(component) != this) {
        return; // already removed by an earlier leave
      }
      byComponent.remove(component);
      if (byComponent.isEmpty()) {
        HOLDERS.remove(registry);
      }
      registry.remove(gaugeId);
    }
  }

  private double value() {
    synchronized (guards) {
      for (RedisGuard guard : guards) {
        if (guard.isDown()) {
          return 0;
        }
      }
      return 1;
    }
  }
}
