package dev.ballast.core;

/**
 * The closed state's record of recent outcomes. One window belongs to one closed state; a breaker that
 * closes again starts a new one, so windows are never cleared under concurrent writers.
 */
interface BreakerWindow {

  /**
   * Records a {@link BreakerOutcome} (never ignored or rejected). {@code now} is the ticker reading for
   * time-based windows and meaningless for count-based ones (see {@link #usesTime()}).
   */
  void record(int outcome, long now);

  /** The counts over the window ending at {@code now}, labelled {@link CircuitBreaker.State#CLOSED}. */
  CircuitBreaker.Snapshot snapshot(long now);

  /** Whether {@link #record} and {@link #snapshot} need a real ticker reading. */
  boolean usesTime();
}
