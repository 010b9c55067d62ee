package dev.ballast.core;

import dev.ballast.core.CircuitBreakerConfig.WindowType;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link CircuitBreaker}; get one from {@link CircuitBreaker#builder()} or
 * {@link CircuitBreaker#toBuilder()}. Every option may be set once per builder: setting one twice, or
 * both {@link #countWindow} and {@link #timeWindow}, throws {@link IllegalStateException}. A builder
 * from {@code toBuilder()} starts with the breaker's settings, each of which may be overridden once.
 * Window sizes are checked when set, the other values by {@link #build()}; messages name the option.
 * Not thread-safe.
 */
public final class CircuitBreakerBuilder {

  private static final String WINDOW = "window";

  private final OptionsSet options = new OptionsSet("CircuitBreaker");
  private String windowOption;

  private String name;
  private WindowType windowType = WindowType.COUNT;
  private int windowSize = 100;
  private @Nullable Duration windowDuration; // null: a count window
  private double failureRateThreshold = 0.5;
  private double slowCallRateThreshold = 1.0;
  private Duration slowCallDuration = Duration.ofSeconds(60);
  private int minimumCalls = 20;
  private Duration openDuration = Duration.ofSeconds(30);
  private int halfOpenProbes = 5;
  private @Nullable Duration maxHalfOpenDuration = Duration.ofSeconds(60); // null: wait forever
  private Predicate<Throwable> recordFailure = error -> true;
  private Set<Class<? extends Throwable>> ignoredExceptions = Set.of();
  private Ticker ticker = Ticker.system();
  private @Nullable MeterRegistry meterRegistry;

  CircuitBreakerBuilder() {}

  CircuitBreakerBuilder(CircuitBreakerConfig config, Ticker ticker, @Nullable MeterRegistry meterRegistry) {
    Check.notNull(config, "CircuitBreaker.config");
    this.name = config.name();
    this.windowType = config.windowType();
    this.windowSize = config.windowSize();
    this.windowDuration = config.windowDuration();
    this.failureRateThreshold = config.failureRateThreshold();
    this.slowCallRateThreshold = config.slowCallRateThreshold();
    this.slowCallDuration = config.slowCallDuration();
    this.minimumCalls = config.minimumCalls();
    this.openDuration = config.openDuration();
    this.halfOpenProbes = config.halfOpenProbes();
    this.maxHalfOpenDuration = config.maxHalfOpenDuration();
    this.recordFailure = config.recordFailure();
    this.ignoredExceptions = config.ignoredExceptions();
    this.ticker = ticker;
    this.meterRegistry = meterRegistry;
  }

  /**
   * Names the breaker in messages, logs and metric tags; required.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder name(String name) {
    options.claim("name");
    this.name = name;
    return this;
  }

  /**
   * Judges the last {@code calls} calls (the default, with 100).
   *
   * @throws IllegalArgumentException if {@code calls < 1}
   * @throws IllegalStateException if a window was already set on this builder
   */
  public CircuitBreakerBuilder countWindow(int calls) {
    claimWindow("countWindow");
    Check.atLeast(calls, 1, "CircuitBreaker.countWindow");
    this.windowType = WindowType.COUNT;
    this.windowSize = calls;
    this.windowDuration = null;
    return this;
  }

  /**
   * Judges the calls that ended in the last {@code window}, counted in one-second buckets (at least 1
   * and at most 60 buckets; a longer window gets longer buckets).
   *
   * @throws NullPointerException if {@code window} is null
   * @throws IllegalArgumentException if {@code window} is not positive
   * @throws IllegalStateException if a window was already set on this builder
   */
  public CircuitBreakerBuilder timeWindow(Duration window) {
    claimWindow("timeWindow");
    Check.positive(window, "CircuitBreaker.timeWindow");
    this.windowType = WindowType.TIME;
    this.windowDuration = window;
    this.windowSize = (int) Math.max(1, Math.min(60, window.getSeconds()));
    return this;
  }

  /**
   * Judges the calls that ended in the last {@code window}, counted in {@code buckets} buckets: the
   * window slides by {@code window / buckets} at a time.
   *
   * @throws NullPointerException if {@code window} is null
   * @throws IllegalArgumentException if {@code window} is not positive or {@code buckets < 1}
   * @throws IllegalStateException if a window was already set on this builder
   */
  public CircuitBreakerBuilder timeWindow(Duration window, int buckets) {
    claimWindow("timeWindow");
    Check.positive(window, "CircuitBreaker.timeWindow");
    Check.atLeast(buckets, 1, "CircuitBreaker.timeWindow.buckets");
    this.windowType = WindowType.TIME;
    this.windowDuration = window;
    this.windowSize = buckets;
    return this;
  }

  /**
   * Opens the breaker when failed calls / calls reaches {@code threshold}, in (0, 1]; default 0.5.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder failureRateThreshold(double threshold) {
    options.claim("failureRateThreshold");
    this.failureRateThreshold = threshold;
    return this;
  }

  /**
   * Opens the breaker when slow calls / calls reaches {@code threshold}, in (0, 1]; 1.0 (default) = off.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder slowCallRateThreshold(double threshold) {
    options.claim("slowCallRateThreshold");
    this.slowCallRateThreshold = threshold;
    return this;
  }

  /**
   * A call that takes at least {@code duration} is slow; default 60 s.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder slowCallDuration(Duration duration) {
    options.claim("slowCallDuration");
    this.slowCallDuration = duration;
    return this;
  }

  /**
   * The window is judged only once it holds at least {@code calls} calls; default 20.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder minimumCalls(int calls) {
    options.claim("minimumCalls");
    this.minimumCalls = calls;
    return this;
  }

  /**
   * How long the breaker stays open before letting probes through; default 30 s.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder openDuration(Duration duration) {
    options.claim("openDuration");
    this.openDuration = duration;
    return this;
  }

  /**
   * How many probe calls the half-open breaker lets through; default 5.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder halfOpenProbes(int probes) {
    options.claim("halfOpenProbes");
    this.halfOpenProbes = probes;
    return this;
  }

  /**
   * How long the half-open breaker waits for its outstanding probes to report, counted from the last
   * probe it let through, before it gives up on them and opens again; default 60 s. Without it, a probe
   * that hangs or whose permission is lost unreported keeps the breaker half-open, refusing every other
   * call, for good. Set it above the slowest call the dependency may legitimately take. To wait forever,
   * say so with {@link #withoutMaxHalfOpenDuration()}.
   *
   * @throws NullPointerException if {@code duration} is null
   * @throws IllegalArgumentException if {@code duration} is not positive
   * @throws IllegalStateException if this or {@code withoutMaxHalfOpenDuration} was already set on this builder
   */
  public CircuitBreakerBuilder maxHalfOpenDuration(Duration duration) {
    options.claim("maxHalfOpenDuration");
    Check.notNull(duration, "CircuitBreaker.maxHalfOpenDuration");
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException("CircuitBreaker.maxHalfOpenDuration must be positive, was " + duration
          + " (to wait for the probes forever, use withoutMaxHalfOpenDuration())");
    }
    this.maxHalfOpenDuration = duration;
    return this;
  }

  /**
   * Lets the half-open breaker wait for its outstanding probes forever (as Resilience4j does by default):
   * a probe that never reports then keeps the breaker half-open until the application resets it.
   *
   * @throws IllegalStateException if this or {@link #maxHalfOpenDuration} was already set on this builder
   */
  public CircuitBreakerBuilder withoutMaxHalfOpenDuration() {
    options.claim("maxHalfOpenDuration");
    this.maxHalfOpenDuration = null;
    return this;
  }

  /**
   * Which exceptions count as failures; the others count as successes. Default: all.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder recordFailure(Predicate<Throwable> predicate) {
    options.claim("recordFailure");
    this.recordFailure = predicate;
    return this;
  }

  /**
   * Exceptions (and their subclasses) that count as neither success nor failure, such as a caller's
   * own validation errors. Default: none.
   *
   * @throws NullPointerException if {@code types} or one of them is null
   * @throws IllegalStateException if already set on this builder
   */
  @SafeVarargs
  public final CircuitBreakerBuilder ignoreExceptions(Class<? extends Throwable>... types) {
    options.claim("ignoreExceptions");
    Check.notNull(types, "CircuitBreaker.ignoreExceptions");
    for (Class<? extends Throwable> type : types) {
      Check.notNull(type, "CircuitBreaker.ignoreExceptions[]");
    }
    this.ignoredExceptions = Set.of(types);
    return this;
  }

  /**
   * The time source for durations and the open period; default {@link Ticker#system()}.
   *
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder ticker(Ticker ticker) {
    options.claim("ticker");
    this.ticker = ticker;
    return this;
  }

  /**
   * Publishes {@code ballast.circuitbreaker.*} meters there. Without a registry the breaker keeps no
   * meters and pays nothing for them.
   *
   * @throws NullPointerException if {@code registry} is null
   * @throws IllegalStateException if already set on this builder
   */
  public CircuitBreakerBuilder meterRegistry(MeterRegistry registry) {
    options.claim("meterRegistry");
    this.meterRegistry = Check.notNull(registry, "CircuitBreaker.meterRegistry");
    return this;
  }

  /**
   * Returns a new breaker, closed, with these settings.
   *
   * @throws NullPointerException if the name or another setting is null (the message names it)
   * @throws IllegalArgumentException if a setting is out of range (the message names it)
   */
  public CircuitBreaker build() {
    CircuitBreakerConfig config = new CircuitBreakerConfig(name, windowType, windowSize, windowDuration,
        failureRateThreshold, slowCallRateThreshold, slowCallDuration, minimumCalls, openDuration,
        halfOpenProbes, maxHalfOpenDuration, recordFailure, ignoredExceptions);
    Check.notNull(ticker, "CircuitBreaker.ticker");
    return DefaultCircuitBreaker.create(config, ticker, meterRegistry);
  }

  private void claimWindow(String option) {
    if (options.isSet(WINDOW) && !option.equals(windowOption)) {
      throw new IllegalStateException("CircuitBreaker." + option + " conflicts with " + windowOption
          + ", already set on this builder");
    }
    if (options.isSet(WINDOW)) {
      throw new IllegalStateException("CircuitBreaker." + option + " was already set on this builder");
    }
    options.claim(WINDOW);
    windowOption = option;
  }
}
