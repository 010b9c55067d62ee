package dev.ballast.degradation.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lease renewal every {@code period} on a daemon thread of its own, at a fixed rate: each run is
 * due one period after the previous run was due, however long that run took, so slow Redis calls do not
 * stretch the interval between renewals (as a fixed delay would). A run that ends past the next due time
 * is followed at once by one run, not by a burst of catch-up runs (as a fixed rate executor would after a
 * long stall); the schedule then restarts from that run.
 *
 * <p>Design: only the renewer's thread touches {@code due}; {@link #close()} stops the thread.
 */
final class LeaseRenewer implements AutoCloseable {

  private final ScheduledExecutorService thread;
  private final long periodNanos;
  private final Runnable renewal;
  private long due; // System.nanoTime() at which the next run is due; renewer thread only

  LeaseRenewer(String threadName, Duration period, Runnable renewal) {
    this.periodNanos = period.toNanos();
    this.renewal = renewal;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** Schedules the first run one period from now. */
  void start() {
    due = System.nanoTime() + periodNanos;
    schedule(periodNanos);
  }

  private void run() {
    try {
      renewal.run();
    } finally {
      long now = System.nanoTime();
      due += periodNanos;
      if (due - now < 0) {
        due = now; // late: run once now and count the next period from here
      }
      schedule(due - now);
    }
  }

  private void schedule(long delayNanos) {
    try {
      thread.schedule(this::run, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      // close() won the race: nothing more to renew
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
