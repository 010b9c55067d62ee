package dev.ballast.degradation;

import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The switches that step a service down instead of letting it fall over: {@link SwitchName#SERVE_CACHED
 * serve-cached}, {@link SwitchName#READ_ONLY read-only} and non-critical features, flipped by hand, by
 * named {@link Mode}s or by {@link Trigger}s on SLO signals, and, with Redis, shared by the whole fleet.
 *
 * <pre>{@code
 * Switchboard board = Switchboard.builder()
 *     .name("shop")
 *     .features("recommendations", "reviews")           // the closed set of non-critical features
 *     .trigger(Trigger.onLatency("slow", latency).degrade(SwitchName.SERVE_CACHED).build())
 *     .redis(redisClient)                               // optional: fleet-wide
 *     .build();
 * if (board.isFeatureEnabled("recommendations")) { ... }
 * board.guardWrite("place-order");                      // ReadOnlyModeException in read-only mode
 * board.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "origin at 95% CPU"));
 * board.enterMode(Mode.SURVIVAL, new Reason("alice", "black friday"));
 * }</pre>
 *
 * <p><b>Positions</b>: each switch has a normal and a degraded position. {@link #degrade} puts a switch in
 * its degraded one (serve-cached on, read-only on, a feature disabled), {@link #restore} in its normal one
 * (serve-cached off, read-only off, a feature enabled), both by hand and until {@link #release}; no boolean
 * whose meaning depends on the switch.
 *
 * <p><b>Precedence</b>, strongest first: a switch degraded or restored by hand; a mode entered by hand; an engaged
 * trigger; the normal position. Within one level a setting for the feature itself beats one for
 * {@link SwitchName#ALL_FEATURES}, and among modes (or triggers) that disagree the degraded position wins.
 *
 * <p><b>Reads</b> ({@link #isFeatureEnabled}, {@link #isReadOnly}, {@link #guardWrite} when writes are
 * allowed, ...) are one volatile read of an immutable snapshot: no lock, no allocation, no Redis call.
 *
 * <p><b>Fleet</b>: with Redis, manual settings, modes and {@link Trigger.Scope#FLEET} triggers are kept in
 * a Redis hash and broadcast; each instance applies every change, and re-reads the whole state when its
 * subscription is (re)established and on a slow periodic check. While Redis is unreachable an instance
 * keeps its last known state; changes made meanwhile apply locally at once and are written to Redis when
 * it answers again. The newest action on a switch wins (by a hybrid logical clock stamped on the instance
 * that acts), whatever order writes reach Redis in and whatever Redis forgot: instances write back what
 * they know newer than Redis.
 *
 * <p><b>Waits</b> are bounded by {@linkplain SwitchboardBuilder#redisTimeout the Redis timeout} and honour
 * interruption: an interrupted caller of {@link #degrade}, {@link #restore}, {@link #release}, {@link #enterMode}, {@link
 * #leaveMode} or {@link #refresh} returns at once with its interrupt flag kept (no exception: a flip
 * applies locally and is written to Redis by the switchboard's own thread, as during an outage), and is
 * not counted as a Redis failure.
 *
 * <p>Thread-safe. Every change is logged (who, what, why) and exported as the gauge
 * {@code ballast.degradation.switch}.
 */
public interface Switchboard extends AutoCloseable {

  /** Returns a builder; only the name is required. */
  static SwitchboardBuilder builder() {
    return new SwitchboardBuilder();
  }

  /** The switchboard's name, as used in Redis keys, logs and meter tags. */
  String name();

  /** The serve-cached switch: on means caches serve what they have and spare the origin. */
  Switch serveCached();

  /** The read-only switch: on means {@link #guardWrite} refuses writes. */
  Switch readOnly();

  /**
   * The switch of one non-critical feature: on means enabled.
   *
   * @throws IllegalArgumentException if features were declared and {@code name} is not one of them (the
   *     message suggests the closest), or the name is malformed
   */
  Switch feature(String name);

  /** Every switch this switchboard knows now: serve-cached, read-only, then the features by name. */
  List<Switch> switches();

  /** The triggers this instance evaluates, in the order they were added. */
  List<Trigger> triggers();

  /** The modes entered by hand and not yet left, fleet-wide with Redis. */
  Set<String> activeModes();

  /** Whether serve-cached is on (caches serve what they have and spare the origin). No lock, no allocation. */
  boolean isServingCached();

  /** Whether read-only is on. No lock, no allocation. */
  boolean isReadOnly();

  /**
   * Whether the feature is enabled. No lock, no allocation.
   *
   * @throws IllegalArgumentException if features were declared and {@code name} is not one of them
   */
  boolean isFeatureEnabled(String name);

  /**
   * Returns if writes are allowed.
   *
   * @param operation names the write in the exception's message
   * @throws ReadOnlyModeException if read-only mode is on; its message says since when, by whom and why
   */
  void guardWrite(String operation);

  /**
   * A hook for a cache's "spare the origin" setting: true while serve-cached is on. Reads the same
   * snapshot as {@link #isServingCached()}.
   */
  BooleanSupplier spareOriginSignal();

  /**
   * Puts a switch in its degraded position by hand (serve-cached or read-only on, a feature disabled); it
   * stays so, whatever modes and triggers say, until {@link #release} or {@link #restore}.
   *
   * @throws IllegalArgumentException if {@code name} is an undeclared feature
   * @throws NullPointerException if an argument is null
   */
  void degrade(SwitchName name, Reason reason);

  /**
   * Puts a switch in its normal position by hand (serve-cached or read-only off, a feature enabled); it
   * stays so, whatever modes and triggers say, until {@link #release} or {@link #degrade}.
   *
   * @throws IllegalArgumentException if {@code name} is an undeclared feature
   * @throws NullPointerException if an argument is null
   */
  void restore(SwitchName name, Reason reason);

  /**
   * Disables a feature by hand: {@code degrade(SwitchName.feature(feature), reason)}.
   *
   * @throws IllegalArgumentException if {@code feature} is malformed or undeclared
   * @throws NullPointerException if an argument is null
   */
  default void disable(String feature, Reason reason) {
    degrade(SwitchName.feature(feature), reason);
  }

  /**
   * Enables a feature by hand: {@code restore(SwitchName.feature(feature), reason)}.
   *
   * @throws IllegalArgumentException if {@code feature} is malformed or undeclared
   * @throws NullPointerException if an argument is null
   */
  default void enable(String feature, Reason reason) {
    restore(SwitchName.feature(feature), reason);
  }

  /**
   * Hands a switch degraded or restored by hand back to modes and triggers; does nothing if it was not set by hand.
   *
   * @throws IllegalArgumentException if {@code name} is an undeclared feature, or {@code who} is blank
   */
  void release(SwitchName name, String who);

  /**
   * Enters a registered mode by hand ({@link Mode#SURVIVAL} is always registered); stays until
   * {@link #leaveMode}.
   *
   * @throws IllegalArgumentException if no mode of that name is registered (the message lists them)
   * @throws NullPointerException if an argument is null
   */
  void enterMode(String mode, Reason reason);

  /**
   * Leaves a mode entered by hand; does nothing if it is not on.
   *
   * @throws IllegalArgumentException if no mode of that name is registered
   */
  void leaveMode(String mode, String who);

  /**
   * Reads every trigger's signal once and flips those whose thresholds and dwell time say so. The
   * switchboard's schedule calls it; call it yourself when the schedule is {@linkplain
   * SwitchboardBuilder#manualSchedule() manual}.
   */
  void evaluate();

  /**
   * Re-reads the fleet state from Redis now (after writing what an outage held back), renews this
   * instance's fleet trigger leases and ends other instances' lapsed ones; no-op without Redis. The
   * schedule does this on its own; with a {@linkplain SwitchboardBuilder#manualSchedule() manual} one, call
   * it at least every third of the {@linkplain SwitchboardBuilder#fleetTriggerLease lease}.
   */
  void refresh();

  /**
   * Registers a listener, called after each change, in order, on the thread that made the change (a
   * caller of {@link #degrade}, the schedule, or a Redis I/O thread): keep it quick, and do not flip switches
   * from it (hand that to another thread: on a Redis I/O thread a flip would wait for itself). What it
   * throws is logged and ignored.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  void addListener(Listener listener);

  /** Stops the schedule, withdraws this instance's fleet trigger entries and closes its Redis connections. */
  @Override
  void close();

  /** Hears about switch changes. */
  @FunctionalInterface
  interface Listener {
    /** One switch changed. */
    void onChange(SwitchChange change);
  }
}
