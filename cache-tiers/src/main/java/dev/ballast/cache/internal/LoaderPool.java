package dev.ballast.cache.internal;

import dev.ballast.core.internal.BallastThreads;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default executor of every cache's background refreshes and asynchronous misses. Loaders block on
 * I/O (a database, an HTTP call), so they must not run on the common pool, which has one thread per core
 * but one (a 2-core machine) and which the application's own async code shares. Up to {@value #THREADS}
 * daemon threads, started on demand and stopped after {@code 30 s} idle; at most {@value #QUEUE} tasks
 * wait, beyond which {@code execute} is refused (a refresh is then skipped, an async miss runs in its
 * caller). Threads named {@code ballast-cache-loader-<n>}; a cache given
 * {@code TieredCacheBuilder.executor} never uses this pool.
 */
public final class LoaderPool {

  static final int THREADS = 64;
  static final int QUEUE = 10_000;

  private static final Executor SHARED = create();

  private LoaderPool() {}

  /** The pool shared by the caches of this JVM that were given no executor. */
  public static Executor shared() {
    return SHARED;
  }

  /**
   * {@code executor}, running a task in the submitting thread when it refuses it (saturated, shut
   * down): back pressure on whoever completes the stage, rather than a stage that never completes.
   */
  static Executor callerRunsWhenRefused(Executor executor) {
    return task -> {
      try {
        executor.execute(task);
      } catch (RejectedExecutionException refused) {
        task.run();
      }
    };
  }

  private static Executor create() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(QUEUE), BallastThreads.factory("cache-loader"));
    pool.allowCoreThreadTimeOut(true); // no idle threads in a JVM whose caches are quiet
    return pool;
  }
}
