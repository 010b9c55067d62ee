package dev.ballast.core.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scheduler asynchronous policies use when the application gives none: one daemon thread that only
 * fires timers (timeouts, delayed retries) and hands real work back to the futures' own executors.
 */
public final class SharedScheduler {

  private static final ScheduledExecutorService INSTANCE = create();

  private SharedScheduler() {}

  public static ScheduledExecutorService get() {
    return INSTANCE;
  }

  private static ScheduledExecutorService create() {
    AtomicInteger count = new AtomicInteger();
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "ballast-scheduler-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    // Cancelled timeouts are the common case (the call finished in time): drop them at once.
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
