package dev.ballast.degradation;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import java.time.Duration;
import java.util.Map;

/**
 * Puts switches in their degraded position when a {@link Signal} reaches {@code enterThreshold} and
 * back when it falls to {@code exitThreshold}, never leaving a position sooner than {@code minDwell}
 * after taking it, so a noisy signal near a threshold does not make the switch flap.
 *
 * <pre>{@code
 * Trigger slow = Trigger.onLatency("slow-checkout", checkoutLatency)   // p95 >= 300 ms, exit at 240 ms
 *     .degrade(SwitchName.SERVE_CACHED)
 *     .scope(Trigger.Scope.FLEET)
 *     .build();
 * }</pre>
 *
 * <p>An engaged trigger's switches are {@link Switch.Origin#AUTOMATIC}: manual settings and modes win
 * over them. Triggers are evaluated by {@link Switchboard#evaluate()}, on the switchboard's schedule.
 *
 * @param name unique within its switchboard (letters, digits, '.', '_', '-')
 * @param signal what to watch
 * @param enterThreshold engage when the signal is at least this
 * @param exitThreshold disengage when the signal is at most this; strictly below {@code enterThreshold}
 * @param minDwell the least time between two flips of this trigger
 * @param settings the positions the switches take while engaged (an unmodifiable copy)
 * @param scope whether an engaged trigger degrades this instance or the whole fleet
 */
public record Trigger(String name, Signal signal, double enterThreshold, double exitThreshold, Duration minDwell,
    Map<SwitchName, Boolean> settings, Scope scope) {

  /** The seeds' latency threshold: p95 at 300 ms. */
  public static final double DEFAULT_P95_MILLIS = 300.0;

  /** The fewest calls a latency window must hold before its percentile counts. */
  public static final int DEFAULT_LATENCY_MINIMUM_CALLS = 20;

  /** The seeds' error ratio threshold: 0.5 %. */
  public static final double DEFAULT_ERROR_RATIO = 0.005;

  /** Where an engaged trigger acts. */
  public enum Scope {
    /** Only the instance whose signal crossed the threshold degrades. */
    LOCAL,
    /**
     * The whole fleet degrades while at least one instance has the trigger engaged (each instance's
     * engagement is its own entry in Redis, so one recovering instance does not undo another's).
     */
    FLEET
  }

  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a threshold is not finite, exit is not below enter, the dwell
   *     time is negative, there are no settings or the name is malformed
   */
  public Trigger {
    SwitchName.checkName(name, "Trigger.name");
    Check.notNull(signal, "Trigger.signal");
    finite(enterThreshold, "Trigger.enterThreshold");
    finite(exitThreshold, "Trigger.exitThreshold");
    if (!(exitThreshold < enterThreshold)) {
      throw new IllegalArgumentException("Trigger.exitThreshold must be below Trigger.enterThreshold (trigger '" + name
          + "': enter " + enterThreshold + ", exit " + exitThreshold + ")");
    }
    Check.notNegative(minDwell, "Trigger.minDwell");
    Check.notNull(settings, "Trigger.settings");
    if (settings.isEmpty()) {
      throw new IllegalArgumentException("Trigger.settings must name at least one switch (trigger '" + name
          + "'): call degrade(...) or enterMode(...)");
    }
    settings = Map.copyOf(settings);
    Check.notNull(scope, "Trigger.scope");
  }

  private static void finite(double value, String field) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(field + " must be a finite number, was " + value);
    }
  }

  /** A builder with nothing set but the name; the defaults are a 30 s dwell and {@link Scope#LOCAL}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * A builder watching the p95 of {@code recorder} in milliseconds (judged once
   * {@value #DEFAULT_LATENCY_MINIMUM_CALLS} calls are in its window), entering at 300 ms and exiting at
   * 240 ms (each may still be overridden once).
   */
  public static Builder onLatency(String name, LatencyRecorder recorder) {
    Builder b = new Builder(name);
    b.signal = Signal.latencyMillis(recorder, 95.0, DEFAULT_LATENCY_MINIMUM_CALLS);
    b.enter = DEFAULT_P95_MILLIS;
    b.exit = DEFAULT_P95_MILLIS * 0.8;
    return b;
  }

  /**
   * A builder watching the error ratio of {@code recorder} (judged once 100 calls are in its window),
   * entering at 0.5 % and exiting at 0.25 % (each may still be overridden once).
   */
  public static Builder onErrorRatio(String name, OutcomeRecorder recorder) {
    Builder b = new Builder(name);
    b.signal = Signal.errorRatio(recorder, 100);
    b.enter = DEFAULT_ERROR_RATIO;
    b.exit = DEFAULT_ERROR_RATIO / 2;
    return b;
  }

  /** A builder that engages while {@code breaker} is open or half-open and disengages when it closes. */
  public static Builder onBreakerOpen(String name, CircuitBreaker breaker) {
    Builder b = new Builder(name);
    b.signal = Signal.breakerOpen(breaker);
    b.enter = 1.0;
    b.exit = 0.0;
    return b;
  }

  /**
   * A builder holding this trigger's settings under a new name; each option may still be overridden once.
   *
   * <pre>{@code
   * Trigger eu = slowCheckout.toBuilder("slow-checkout-eu").signal(euLatency).build();
   * }</pre>
   */
  public Builder toBuilder(String newName) {
    Builder b = new Builder(newName);
    b.signal = signal;
    b.enter = enterThreshold;
    b.exit = exitThreshold;
    b.minDwell = minDwell;
    b.settings = settings;
    b.scope = scope;
    return b;
  }

  /** Builds a {@link Trigger}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final OptionsSet options = new OptionsSet("Trigger");
    private final String name;
    private @Nullable Signal signal;
    private double enter = Double.NaN;
    private double exit = Double.NaN;
    private Duration minDwell = Duration.ofSeconds(30);
    private Map<SwitchName, Boolean> settings = Map.of();
    private Scope scope = Scope.LOCAL;

    private Builder(String name) {
      this.name = name;
    }

    /** What to watch. */
    public Builder signal(Signal signal) {
      options.claim("signal");
      this.signal = Check.notNull(signal, "Trigger.signal");
      return this;
    }

    /** Engage when the signal is at least {@code threshold}. */
    public Builder enterAt(double threshold) {
      options.claim("enterThreshold");
      this.enter = threshold;
      return this;
    }

    /** Disengage when the signal is at most {@code threshold}. */
    public Builder exitAt(double threshold) {
      options.claim("exitThreshold");
      this.exit = threshold;
      return this;
    }

    /** The least time between two flips (default 30 s). */
    public Builder minDwell(Duration minDwell) {
      options.claim("minDwell");
      this.minDwell = Check.notNegative(minDwell, "Trigger.minDwell");
      return this;
    }

    /** While engaged, put {@code switchName} in its degraded position. */
    public Builder degrade(SwitchName switchName) {
      options.claim("target");
      Check.notNull(switchName, "Trigger.switchName");
      this.settings = Map.of(switchName, switchName.degradedPosition());
      return this;
    }

    /** While engaged, put every switch of {@code mode} in the mode's position. */
    public Builder enterMode(Mode mode) {
      options.claim("target");
      this.settings = Check.notNull(mode, "Trigger.mode").settings();
      return this;
    }

    /** Whether this instance or the fleet degrades (default {@link Scope#LOCAL}). */
    public Builder scope(Scope scope) {
      options.claim("scope");
      this.scope = Check.notNull(scope, "Trigger.scope");
      return this;
    }

    /**
     * @throws NullPointerException if no signal was given
     * @throws IllegalArgumentException as the {@link Trigger} constructor does
     */
    public Trigger build() {
      return new Trigger(name, signal, enter, exit, minDwell, settings, scope);
    }
  }
}
