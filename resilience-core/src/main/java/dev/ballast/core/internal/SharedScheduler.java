package dev.ballast.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler asynchronous policies use when the application gives none: one daemon thread that only
 * fires timers (timeouts, delayed retries); the work they start runs elsewhere ({@link #runLater}).
 */
public final class SharedScheduler {

  private static final ScheduledExecutorService INSTANCE = create();

  private SharedScheduler() {}

  public static ScheduledExecutorService get() {
    return INSTANCE;
  }

  /**
   * Runs {@code task} after {@code delayNanos}, on the asynchronous pool rather than on the timer thread:
   * the timer only fires. User code (an action, a fallback, whatever is chained after a stage) on the
   * timer thread would delay every other timer in the JVM, timeouts included. {@code task} must handle
   * its own failures (complete its promise): nothing observes what it throws.
   *
   * @throws java.util.concurrent.RejectedExecutionException if {@code scheduler} is shut down
   */
  public static void runLater(ScheduledExecutorService scheduler, long delayNanos, Runnable task) {
    Runnable handOff = () -> CompletableFuture.runAsync(task); // a Runnable, not a Callable: nothing to keep
    scheduler.schedule(handOff, delayNanos, TimeUnit.NANOSECONDS);
  }

  private static ScheduledExecutorService create() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, BallastThreads.factory("scheduler"));
    // Cancelled timeouts are the common case (the call finished in time): drop them at once.
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
