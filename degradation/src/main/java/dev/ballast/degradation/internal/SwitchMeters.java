package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The gauge {@code ballast.degradation.switch} (1 while the switch is degraded: serve-cached or read-only
 * on, a feature off) and the counter {@code ballast.degradation.changes}, both tagged {@code switchboard}
 * and {@code switch}. Meters are registered the first time a switch appears; the set of switches is
 * bounded by the declared features and the names operators use. Thread-safe.
 */
final class SwitchMeters {

  private final MeterRegistry registry;
  private final String board;
  private final Function<SwitchName, Switch> current;
  private final Map<String, Counter> changes = new ConcurrentHashMap<>();
  private final List<Meter> registered = new CopyOnWriteArrayList<>();
  private volatile Counter corruptCounter; // registered on the first corrupt find

  SwitchMeters(MeterRegistry registry, String board, Function<SwitchName, Switch> current) {
    this.registry = registry;
    this.board = board;
    this.current = current;
  }

  void register(SwitchName name) {
    if (registry == null || changes.containsKey(name.id())) {
      return;
    }
    changes.computeIfAbsent(name.id(), id -> {
      registered.add(Gauge.builder("ballast.degradation.switch", () -> current.apply(name).degraded() ? 1 : 0)
          .description("1 while the switch is in its degraded position (serve-cached/read-only on, feature off)")
          .tag("switchboard", board)
          .tag("switch", id)
          .register(registry));
      Counter counter = Counter.builder("ballast.degradation.changes")
          .description("Changes of a switch's position or of who holds it there")
          .tag("switchboard", board)
          .tag("switch", id)
          .register(registry);
      registered.add(counter);
      return counter;
    });
  }

  /** Removes this switchboard's meters, so a closed switchboard is neither exported nor kept alive. */
  void close() {
    if (registry != null) {
      registered.forEach(registry::remove);
    }
  }

  /**
   * Counts a corrupt field, version or broadcast found ({@code ballast.degradation.corrupt}, tagged
   * {@code switchboard}): skipped, and repaired where it was read from Redis.
   */
  void corrupt() {
    if (registry == null) {
      return;
    }
    Counter counter = corruptCounter;
    if (counter == null) {
      synchronized (this) {
        if (corruptCounter == null) {
          corruptCounter = Counter.builder("ballast.degradation.corrupt")
              .description("Corrupt switchboard fields, versions or broadcasts found (skipped, repaired in Redis)")
              .tag("switchboard", board)
              .register(registry);
          registered.add(corruptCounter);
        }
        counter = corruptCounter;
      }
    }
    counter.increment();
  }

  void changed(SwitchName name) {
    register(name);
    Counter c = changes.get(name.id());
    if (c != null) {
      c.increment();
    }
  }
}
