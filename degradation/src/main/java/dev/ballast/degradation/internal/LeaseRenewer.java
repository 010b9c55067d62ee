package dev.ballast.degradation.internal;

import dev.ballast.core.internal.BallastThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lease renewal every {@code period} at a fixed rate: each run is due one period after the
 * previous run was due, however long that run took, so slow Redis calls do not stretch the interval between
 * renewals (as a fixed delay would). A run that ends past the next due time is followed at once by one run,
 * not by a burst of catch-up runs (as a fixed rate executor would after a long stall); the schedule then
 * restarts from that run.
 *
 * <p>By default it runs on a daemon thread of its own ({@link BallastThreads}, created by {@link #start()}),
 * so a slow evaluation or re-read cannot delay a renewal; with the application's scheduler it runs there,
 * and {@link #close()} cancels its next run instead of stopping a thread.
 *
 * <p>Design: only the run in progress touches {@code due}; runs never overlap (each schedules the next).
 */
final class LeaseRenewer implements AutoCloseable {

  private final String component;
  private final ScheduledExecutorService given; // null: a thread of our own
  private final long periodNanos;
  private final Runnable renewal;
  private ScheduledExecutorService scheduler; // set by start()
  private volatile Future<?> next;
  private volatile boolean closed;
  private long due; // System.nanoTime() at which the next run is due; the running run only

  /**
   * @param component the thread's name after {@code ballast-} when it has its own
   * @param scheduler the application's scheduler, or null for a thread of its own
   */
  LeaseRenewer(String component, ScheduledExecutorService scheduler, Duration period, Runnable renewal) {
    this.component = component;
    this.given = scheduler;
    this.periodNanos = period.toNanos();
    this.renewal = renewal;
  }

  /** Starts its thread (unless given a scheduler) and schedules the first run one period from now. */
  synchronized void start() {
    scheduler = given != null ? given
        : Executors.newSingleThreadScheduledExecutor(r -> BallastThreads.thread(component, r));
    due = System.nanoTime() + periodNanos;
    schedule(periodNanos);
  }

  private void run() {
    if (closed) {
      return;
    }
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
    if (closed) {
      return;
    }
    try {
      next = scheduler.schedule(this::run, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      // close() won the race, or the application shut its scheduler down: nothing more to renew
    }
    if (closed && next != null) {
      next.cancel(false); // close() ran between the check and the schedule
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    Future<?> pending = next;
    if (pending != null) {
      pending.cancel(false);
    }
    if (given == null && scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
