package dev.ballast.core;

import org.jspecify.annotations.Nullable;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Stops calling a dependency that keeps failing or answering slowly, and lets a few probe calls through
 * after a while to find out whether it recovered.
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.builder()
 *     .name("inventory")
 *     .countWindow(100)                 // judge the last 100 calls
 *     .failureRateThreshold(0.5)        // open when half of them failed
 *     .openDuration(Duration.ofSeconds(30))
 *     .build();
 * Stock stock = breaker.call(() -> inventory.stock(sku));   // CircuitOpenException while open
 * }</pre>
 *
 * <p>States: {@link State#CLOSED} lets every call through and records its outcome in a sliding window
 * (the last N calls, or the last N seconds). Once at least {@code minimumCalls} calls are in the window
 * and the share of failures (or of slow calls) reaches its threshold, the breaker goes {@link State#OPEN}
 * and rejects every call for {@code openDuration}. The first permission request after that turns it
 * {@link State#HALF_OPEN}, which lets exactly {@code halfOpenProbes} calls through; when all of them have
 * reported, the breaker opens again if their failure (or slow) rate reaches the threshold, else it closes
 * with an empty window. If the probes are all out and have not all reported {@code maxHalfOpenDuration}
 * after the last of them was let through (a call that hangs, a permission lost unreported), the next
 * refused request opens the breaker again rather than leaving it half-open for good; the missing probes'
 * late results through {@link #call} and {@link #callAsync} are then ignored (those go to the state that
 * let the call through; the primitive API's {@code onSuccess} / {@code onError} cannot tell and report
 * to the current state). Operators can {@link #forceOpen()}, {@link #disable()} and {@link #reset()} it.
 *
 * <p>The primitive API ({@link #tryAcquirePermission()}, {@link #onSuccess}, {@link #onError},
 * {@link #releasePermission()}) is what {@link #call} and {@link #callAsync} are built on; use it directly
 * for calls that do not fit in a lambda. Every permitted call must end in exactly one of
 * {@code onSuccess}, {@code onError} or {@code releasePermission}.
 *
 * <p>Implementations are thread-safe; on the success path in the closed state they take no lock and
 * allocate nothing.
 */
public interface CircuitBreaker extends Policy {

  /** Returns a builder; only {@link CircuitBreakerBuilder#name(String) name} is required. */
  static CircuitBreakerBuilder builder() {
    return new CircuitBreakerBuilder();
  }

  /**
   * Returns a breaker with the default settings, the system ticker and no metrics.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static CircuitBreaker ofDefaults(String name) {
    return builder().name(name).build();
  }

  /**
   * Returns a breaker with the given configuration, the system ticker and no metrics.
   *
   * @throws NullPointerException if {@code config} is null
   */
  static CircuitBreaker of(CircuitBreakerConfig config) {
    return new CircuitBreakerBuilder(config, Ticker.system(), null).build();
  }

  /** The breaker's name, as used in messages, logs and metric tags. */
  String name();

  /** The configuration the breaker was built with. */
  CircuitBreakerConfig config();

  /**
   * Asks to make one call. In {@link State#OPEN} this is where the breaker notices that
   * {@code openDuration} has passed and turns {@link State#HALF_OPEN}; in {@link State#HALF_OPEN} with
   * no probe left, where it notices that the probes outlived {@code maxHalfOpenDuration} and opens again.
   *
   * @return true if the call may be made; the caller must then report it exactly once through
   *     {@link #onSuccess}, {@link #onError} or {@link #releasePermission()}
   */
  boolean tryAcquirePermission();

  /** Gives back a permission for a call that was never made (it does not count as an outcome). */
  void releasePermission();

  /**
   * Reports that a permitted call succeeded after {@code durationNanos} (slow if at least
   * {@code slowCallDuration}). A success cannot open the breaker, but a slow one can.
   */
  void onSuccess(long durationNanos);

  /**
   * Reports that a permitted call failed after {@code durationNanos}. An ignored exception counts as
   * neither success nor failure; one that {@code recordFailure} does not accept counts as a success.
   *
   * @throws NullPointerException if {@code error} is null
   */
  void onError(long durationNanos, Throwable error);

  /** The current state. */
  State state();

  /** The counts the current state judges by: the sliding window when closed, the probes when half-open. */
  Snapshot snapshot();

  /**
   * How long calls will still be rejected: the rest of {@code openDuration} when {@link State#OPEN},
   * {@link Long#MAX_VALUE} when {@link State#FORCED_OPEN} (until an operator acts), else 0.
   */
  long remainingOpenNanos();

  /** Rejects every call until {@link #reset()} or {@link #disable()}; the window stops recording. */
  void forceOpen();

  /** Lets every call through and records nothing until {@link #reset()} or {@link #forceOpen()}. */
  void disable();

  /** Returns to {@link State#CLOSED} with an empty window, from any state (also from closed). */
  void reset();

  /**
   * Registers a listener for state changes. Listeners are called after the change took effect, one
   * change at a time and in the order the changes happened, possibly on the thread of a later change;
   * what a listener throws is logged and otherwise ignored.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  void addListener(Listener listener);

  /** Returns a builder holding this breaker's settings; each option may be overridden once. */
  CircuitBreakerBuilder toBuilder();

  /**
   * Runs {@code action} if the breaker permits it, timing it with the breaker's ticker and reporting its
   * outcome.
   *
   * @throws CircuitOpenException if the breaker does not permit the call (the action is not run)
   * @throws Exception the very exception the action threw
   */
  @Override
  <T extends @Nullable Object> T call(CheckedSupplier<? extends T> action) throws Exception;

  /**
   * Like {@link #call}, for an action that returns a stage: a rejection or the action's failure
   * completes the returned stage exceptionally (with the same exception instance); never throws.
   */
  @Override
  <T extends @Nullable Object> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action);

  /** The states of a breaker. */
  enum State {
    /** Calls pass and are recorded. */
    CLOSED,
    /** Calls are rejected until {@code openDuration} has passed. */
    OPEN,
    /** A limited number of probe calls pass; their outcome decides between closed and open. */
    HALF_OPEN,
    /** Set by an operator: calls are rejected until the operator acts again. */
    FORCED_OPEN,
    /** Set by an operator: calls pass and nothing is recorded. */
    DISABLED
  }

  /** Hears about state changes; see {@link CircuitBreaker#addListener}. */
  @FunctionalInterface
  interface Listener {

    /** Called once per state change, after it took effect. */
    void onStateChange(StateTransition transition);
  }

  /**
   * One state change.
   *
   * @param name the breaker's name
   * @param from the state before
   * @param to the state after (may equal {@code from} for a {@link CircuitBreaker#reset()} when closed)
   * @param reason why, in words, e.g. {@code "failure rate 60.0% >= 50.0% over 20 calls"}
   * @param at when, by the wall clock
   */
  record StateTransition(String name, State from, State to, String reason, Instant at) {}

  /**
   * Counts a state judges by.
   *
   * @param state the state these counts belong to; an open breaker reports the window that opened it
   * @param bufferedCalls calls in the window (closed) or probes that reported (half-open)
   * @param failedCalls how many of those failed
   * @param slowCalls how many of those were slow (successes and failures alike)
   */
  record Snapshot(State state, int bufferedCalls, int failedCalls, int slowCalls) {

    /** Failed calls over buffered calls; 0 when nothing is buffered. */
    public double failureRate() {
      return bufferedCalls == 0 ? 0.0 : (double) failedCalls / bufferedCalls;
    }

    /** Slow calls over buffered calls; 0 when nothing is buffered. */
    public double slowCallRate() {
      return bufferedCalls == 0 ? 0.0 : (double) slowCalls / bufferedCalls;
    }
  }
}
