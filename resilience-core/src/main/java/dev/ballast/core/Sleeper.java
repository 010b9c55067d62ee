package dev.ballast.core;

import java.util.concurrent.TimeUnit;

/**
 * Blocks the calling thread for a while: how synchronous policies (a retry's backoff, a blocking permit
 * acquisition) wait.
 *
 * <p>Tests pair a manual {@link Ticker} with a sleeper that moves that ticker forward instead of blocking:
 * <pre>{@code
 * AtomicLong now = new AtomicLong();
 * Sleeper sleeper = nanos -> now.addAndGet(nanos);
 * }</pre>
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Waits for about {@code nanos} nanoseconds; returns at once when {@code nanos <= 0}.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(long nanos) throws InterruptedException;

  /** Returns the sleeper that really blocks the thread. */
  static Sleeper system() {
    return nanos -> {
      if (nanos > 0) {
        TimeUnit.NANOSECONDS.sleep(nanos);
      }
    };
  }
}
