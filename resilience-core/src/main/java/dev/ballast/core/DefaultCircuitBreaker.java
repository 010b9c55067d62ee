package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@link CircuitBreaker}: a state machine over one {@code AtomicReference<BreakerState>}.
 *
 * <p>Design: everything shared lives in the current {@link BreakerState} (immutable, or lock-free
 * counters of its own). Every change of state goes through {@link #transition}, one CAS from an expected
 * state to a fresh successor; only the winner publishes the event, so each change is reported exactly
 * once. A reader may assume that a state it holds was current at some instant and that reports it hands
 * to a state that has since been replaced are dropped harmlessly. The success path in the closed state
 * is: one volatile read of the state, two ticker reads (around the action), one {@code getAndIncrement}
 * in the window (none while a count window is full and holds only successes: then nothing shared is
 * written), and, for metered breakers only, one counter increment. No lock, no allocation.
 */
final class DefaultCircuitBreaker implements CircuitBreaker {

  private final CircuitBreakerConfig config;
  private final BreakerRules rules;
  private final Ticker ticker;
  private final boolean windowUsesTime;
  private final MeterRegistry registry;
  /** Null when unmetered: the hot path then pays one predictable branch for metrics, nothing more. */
  private final BreakerMeters meters;
  private final BreakerEvents events;
  private final AtomicReference<BreakerState> state;

  private DefaultCircuitBreaker(CircuitBreakerConfig config, Ticker ticker, MeterRegistry registry) {
    this.config = config;
    this.rules = new BreakerRules(config);
    this.ticker = ticker;
    this.events = new BreakerEvents(ticker);
    this.registry = registry;
    this.meters = registry == null ? null : new BreakerMeters(registry, config.name());
    BreakerWindow window = newWindow();
    this.windowUsesTime = window.usesTime();
    this.state = new AtomicReference<>(new BreakerClosed(0, window));
  }

  static DefaultCircuitBreaker create(CircuitBreakerConfig config, Ticker ticker, MeterRegistry registry) {
    DefaultCircuitBreaker breaker = new DefaultCircuitBreaker(config, ticker, registry);
    if (registry != null) {
      BreakerMeters.bindGauges(registry, breaker);
    }
    return breaker;
  }

  // ---- primitive API

  @Override
  public boolean tryAcquirePermission() {
    if (state.get().tryAcquire(this)) {
      return true;
    }
    record(BreakerOutcome.REJECTED, 0);
    return false;
  }

  @Override
  public void releasePermission() {
    state.get().release();
  }

  @Override
  public void onSuccess(long durationNanos) {
    recordSuccess(durationNanos, windowUsesTime ? ticker.read() : 0L);
  }

  @Override
  public void onError(long durationNanos, Throwable error) {
    Objects.requireNonNull(error, "CircuitBreaker.onError: error");
    recordError(durationNanos, error, windowUsesTime ? ticker.read() : 0L);
  }

  private void recordSuccess(long durationNanos, long now) {
    recordSuccess(durationNanos, now, state.get());
  }

  private void recordError(long durationNanos, Throwable error, long now) {
    recordError(durationNanos, error, now, state.get());
  }

  /**
   * Reports to {@code granting}, the state that let the call through: a call that outlived its state
   * (a slow call granted while CLOSED that ends in HALF_OPEN) must not count as a probe. A stale state
   * absorbs the result harmlessly, as its transitions are CASes from itself.
   */
  private void recordSuccess(long durationNanos, long now, BreakerState granting) {
    int outcome = rules.success(durationNanos);
    granting.onResult(this, outcome, now);
    record(outcome, durationNanos);
  }

  private void recordError(long durationNanos, Throwable error, long now, BreakerState granting) {
    int outcome = rules.failure(durationNanos, error);
    if (outcome == BreakerOutcome.IGNORED) {
      granting.release();
    } else {
      granting.onResult(this, outcome, now);
    }
    record(outcome, durationNanos);
  }

  /**
   * Takes a permission for a decorated call; returns the state that granted it, or null. The state read
   * after a successful acquire is the granting one except when another thread transitions in between,
   * which at worst reports one result to the newer state, as the primitive API always does.
   */
  private BreakerState acquire() {
    return tryAcquirePermission() ? state.get() : null;
  }

  private void record(int outcome, long durationNanos) {
    if (meters != null) {
      meters.record(outcome, durationNanos);
    }
  }

  @Override
  public State state() {
    return state.get().kind();
  }

  @Override
  public Snapshot snapshot() {
    return state.get().snapshot(ticker.read());
  }

  @Override
  public long remainingOpenNanos() {
    return state.get().remainingOpenNanos(ticker.read());
  }

  // ---- decorating

  @Override
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    BreakerState granting = acquire();
    if (granting == null) {
      throw rejection();
    }
    long start = ticker.read();
    T result;
    try {
      result = action.get();
    } catch (Throwable error) {
      long end = ticker.read();
      recordError(end - start, error, end, granting);
      throw error;
    }
    long end = ticker.read();
    recordSuccess(end - start, end, granting);
    return result;
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    BreakerState granting = acquire();
    if (granting == null) {
      return CompletableFuture.failedFuture(rejection());
    }
    long start = ticker.read();
    CompletionStage<T> stage = Futures.start(action);
    // A fresh future completed with the stage's own exception, so callers see what the action threw
    // rather than a CompletionException around it (unless the stage itself wrapped it).
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      long end = ticker.read();
      if (error == null) {
        recordSuccess(end - start, end, granting);
        result.complete(value);
      } else {
        recordError(end - start, unwrap(error), end, granting);
        result.completeExceptionally(error);
      }
    });
    return result;
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private CircuitOpenException rejection() {
    BreakerState current = state.get();
    return new CircuitOpenException(config.name(), current.kind(), current.remainingOpenNanos(ticker.read()));
  }

  // ---- operators

  @Override
  public void forceOpen() {
    moveTo(CircuitBreaker.State.FORCED_OPEN, "forceOpen()");
  }

  @Override
  public void disable() {
    moveTo(CircuitBreaker.State.DISABLED, "disable()");
  }

  @Override
  public void reset() {
    BreakerState from;
    do {
      from = state.get();
    } while (!transition(from, new BreakerClosed(from.seq + 1, newWindow()), "reset()"));
  }

  private void moveTo(CircuitBreaker.State target, String reason) {
    BreakerState from;
    do {
      from = state.get();
      if (from.kind() == target) {
        return;
      }
    } while (!transition(from, operatorState(target, from.seq + 1), reason));
  }

  private static BreakerState operatorState(CircuitBreaker.State target, long seq) {
    return target == CircuitBreaker.State.FORCED_OPEN ? new BreakerForcedOpen(seq) : new BreakerDisabled(seq);
  }

  // ---- transitions, called by the states

  /** Closed or half-open {@code from} opens because {@code counts} tripped the rules. */
  void open(BreakerState from, Snapshot counts, String reason) {
    transition(from, new BreakerOpen(from.seq + 1, ticker.read(), rules.openNanos, counts), reason);
  }

  /** Open {@code from} has waited long enough; {@code now} starts the half-open state. */
  void halfOpen(BreakerOpen from, long now) {
    transition(from, new BreakerHalfOpen(from.seq + 1, rules.halfOpenProbes, rules.maxHalfOpenNanos, now),
        "open for " + config.openDuration() + ", letting " + rules.halfOpenProbes + " probe calls through");
  }

  /**
   * The probes of {@code from} are all out and have not all reported within {@code maxHalfOpenDuration}
   * of the last one let through: open again, with the probes that did report as the counts.
   */
  void probesTimedOut(BreakerHalfOpen from, Snapshot reported) {
    open(from, reported, "probes: " + reported.bufferedCalls() + " of " + rules.halfOpenProbes
        + " reported within " + config.maxHalfOpenDuration() + " of the last one let through");
  }

  /** All probes of {@code from} reported with {@code counts}: open again or close. */
  void judgeProbes(BreakerHalfOpen from, Snapshot counts) {
    String reason = rules.tripReason(counts, 1);
    if (reason != null) {
      open(from, counts, "probes: " + reason);
    } else {
      transition(from, new BreakerClosed(from.seq + 1, newWindow()),
          counts.failedCalls() + " of " + counts.bufferedCalls() + " probe calls failed, "
              + counts.slowCalls() + " were slow");
    }
  }

  /** The one CAS every change of state goes through; only the winner publishes the event. */
  boolean transition(BreakerState from, BreakerState to, String reason) {
    if (!state.compareAndSet(from, to)) {
      return false;
    }
    events.publish(to.seq, new StateTransition(config.name(), from.kind(), to.kind(), reason, Instant.now()));
    return true;
  }

  BreakerState current() {
    return state.get();
  }

  BreakerRules rules() {
    return rules;
  }

  Ticker ticker() {
    return ticker;
  }

  private BreakerWindow newWindow() {
    return config.windowType() == CircuitBreakerConfig.WindowType.COUNT
        ? new BreakerCountWindow(config.windowSize())
        : new BreakerTimeWindow(config.windowSize(), Check.saturatedNanos(config.windowDuration()));
  }

  // ---- the rest of the API

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public CircuitBreakerConfig config() {
    return config;
  }

  @Override
  public void addListener(Listener listener) {
    events.add(Check.notNull(listener, "CircuitBreaker.listener"));
  }

  @Override
  public CircuitBreakerBuilder toBuilder() {
    return new CircuitBreakerBuilder(config, ticker, registry);
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + config.name() + ", " + state() + "]";
  }
}
