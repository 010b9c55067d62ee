package dev.ballast.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The one metric scheme of the load-shedding policies (bulkhead, concurrency limiter, throttle), under a
 * prefix such as {@code ballast.bulkhead}:
 * <ul>
 *   <li>{@code <prefix>.calls}: counter tagged {@code name}, {@code partition} (limiters with partitions
 *       only), {@code result} ({@code accepted} or {@code rejected}) and {@code reason} ({@code none} for
 *       an accepted call, else the policy's reason, e.g. {@code full}, {@code limit}, {@code throttled});
 *   <li>{@code <prefix>.wait}: timer of the time an accepted call waited for its permit (bulkhead only);
 *   <li>gauges the policy binds through {@link #gauge}, e.g. {@code <prefix>.limit},
 *       {@code <prefix>.inflight}.
 * </ul>
 * Tags are the policy's configured names, never anything a caller supplies per call. {@link #NONE} does
 * nothing, so a policy built without a registry pays one predictable branch per call.
 */
public final class ShedMeters {

  /** Meters that record nothing. */
  public static final ShedMeters NONE = new ShedMeters();

  private final MeterRegistry registry;
  private final String prefix;
  private final String name;
  private final Counter[] accepted;
  private final Counter[][] rejected;
  private final Timer wait;

  private ShedMeters() {
    registry = null;
    prefix = null;
    name = null;
    accepted = null;
    rejected = null;
    wait = null;
  }

  private ShedMeters(MeterRegistry registry, String prefix, String name, List<String> partitions,
      List<String> reasons, boolean timesWait) {
    this.registry = registry;
    this.prefix = prefix;
    this.name = name;
    int count = partitions == null ? 1 : partitions.size();
    accepted = new Counter[count];
    rejected = new Counter[count][reasons.size()];
    for (int p = 0; p < count; p++) {
      String partition = partitions == null ? null : partitions.get(p);
      accepted[p] = calls(partition, "accepted", "none");
      for (int r = 0; r < reasons.size(); r++) {
        rejected[p][r] = calls(partition, "rejected", reasons.get(r));
      }
    }
    wait = timesWait
        ? Timer.builder(prefix + ".wait").description("Time accepted calls waited for a permit")
            .tag("name", name).register(registry)
        : null;
  }

  /**
   * Registers the meters of one policy.
   *
   * @param partitions the partition names (tagged {@code partition}), or null for a policy without them
   * @param reasons the rejection reasons, indexed as the policy passes them to {@link #rejected}
   * @param timesWait whether to register the {@code <prefix>.wait} timer
   */
  public static ShedMeters create(MeterRegistry registry, String prefix, String name, List<String> partitions,
      List<String> reasons, boolean timesWait) {
    return registry == null ? NONE : new ShedMeters(registry, prefix, name, partitions, reasons, timesWait);
  }

  private Counter calls(String partition, String result, String reason) {
    Counter.Builder builder = Counter.builder(prefix + ".calls")
        .description("Calls offered to the policy, by result and reason")
        .tag("name", name).tag("result", result).tag("reason", reason);
    if (partition != null) {
      builder.tag("partition", partition);
    }
    return builder.register(registry);
  }

  /** Binds gauge {@code <prefix>.<suffix>} (tagged {@code name}, and {@code partition} if not null). */
  public <S> void gauge(String suffix, String partition, S state, ToDoubleFunction<S> value) {
    if (registry == null) {
      return;
    }
    // Micrometer holds the state weakly: the gauge goes quiet when the application drops the policy.
    Gauge.Builder<S> builder = Gauge.builder(prefix + "." + suffix, state, value).tag("name", name);
    if (partition != null) {
      builder.tag("partition", partition);
    }
    builder.register(registry);
  }

  /** Counts an accepted call. */
  public void accepted(int partition) {
    if (accepted != null) {
      accepted[partition].increment();
    }
  }

  /** Counts a rejected call. */
  public void rejected(int partition, int reason) {
    if (rejected != null) {
      rejected[partition][reason].increment();
    }
  }

  /** Records how long an accepted call waited for its permit. */
  public void waited(long nanos) {
    if (wait != null) {
      wait.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
