package dev.ballast.core.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads asynchronous policies use when the application gives none: one daemon thread that only
 * fires timers (timeouts, delayed retries, rate-limit waits), and one small pool, {@link #async()}, that
 * runs the work those timers start ({@link #runLater}).
 *
 * <p>Why a pool of Ballast's own rather than {@code CompletableFuture.runAsync(task)}: on a machine with
 * two cores or fewer the common pool's parallelism is 1, and {@code runAsync} then starts a new,
 * unnamed thread for every task (its {@code ThreadPerTaskExecutor}): one thread per timed-out call or
 * delayed retry, none of them Ballast's. The async pool has a fixed number of daemon threads named
 * {@code ballast-async-<n>} and an unbounded queue, so a hand-off is never refused (a refused timeout
 * would leave its caller waiting for ever); idle threads stop after 30 s.
 */
public final class SharedScheduler {

  /** Threads of the async pool: the cores, at least two so that one slow callback cannot stop the rest. */
  static final int ASYNC_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private static final ScheduledExecutorService INSTANCE = create();

  private SharedScheduler() {}

  /** The shared timer, thread {@code ballast-scheduler-1}: it only fires; hand work to {@link #async()}. */
  public static ScheduledExecutorService get() {
    return INSTANCE;
  }

  /**
   * The shared pool that runs what timers start, threads {@code ballast-async-<n>}. Created with its first
   * use; its threads start with the first task and stop when idle. Callbacks chained on a policy's stage
   * may run here: they should not block (chain them with an executor of the application's if they do).
   */
  public static Executor async() {
    return AsyncPool.POOL;
  }

  /**
   * Runs {@code task} after {@code delayNanos} on the {@link #async()} pool rather than on the timer
   * thread: the timer only fires. User code (an action, a fallback, whatever is chained after a stage) on
   * the timer thread would delay every other timer in the JVM, timeouts included. {@code task} must handle
   * its own failures (complete its promise): the pool logs what it throws and carries on.
   *
   * @return the timer, to cancel the task before it is handed off
   * @throws java.util.concurrent.RejectedExecutionException if {@code scheduler} is shut down
   */
  public static ScheduledFuture<?> runLater(ScheduledExecutorService scheduler, long delayNanos, Runnable task) {
    Executor pool = async();
    Runnable handOff = () -> pool.execute(task); // a Runnable, not a Callable: nothing to keep
    return scheduler.schedule(handOff, delayNanos, TimeUnit.NANOSECONDS);
  }

  private static ScheduledExecutorService create() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, BallastThreads.factory("scheduler"));
    // Cancelled timeouts are the common case (the call finished in time): drop them at once.
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Holder: the pool is created at the first hand-off, not when the timer is first used. */
  private static final class AsyncPool {
    static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(ASYNC_THREADS, ASYNC_THREADS, 30,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), BallastThreads.factory("async"));

    static {
      POOL.allowCoreThreadTimeOut(true);
    }
  }
}
