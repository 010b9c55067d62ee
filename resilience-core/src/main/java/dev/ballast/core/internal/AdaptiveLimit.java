package dev.ballast.core.internal;

/**
 * The mutable state of one limiter's algorithm. Not thread-safe: the limiter calls it from one thread
 * at a time (it skips a sample rather than wait for another thread's update).
 */
public interface AdaptiveLimit {

  /** The limit now. */
  int limit();

  /**
   * Takes one finished call into account and returns the new limit.
   *
   * @param now the ticker's reading now
   * @param startNanos the ticker's reading when the call started
   * @param inFlight calls in flight when it finished, itself included
   * @param dropped whether it ended with a drop signal
   */
  int onSample(long now, long startNanos, int inFlight, boolean dropped);
}
