package dev.ballast.core.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Ballast's shared pool for short asynchronous hand-offs (starting an action that returns its own stage,
 * completing a refused stage off a timer thread): threads {@code ballast-async-<n>}, as many as cores
 * (at least 2), made on first use and stopped after 30 s idle, so an idle JVM holds none.
 *
 * <p>Why not {@code CompletableFuture.runAsync}: with a common pool of parallelism 1 (a 2-core machine)
 * it starts a new thread for every task. Tasks queue here instead; they must not block, as a task on the
 * common pool must not either.
 */
public final class AsyncPool {

  private AsyncPool() {}

  /** The shared executor; its threads are daemons and live only while there is work. */
  public static Executor get() {
    return Holder.POOL;
  }

  private static final class Holder {
    static final ThreadPoolExecutor POOL = create();

    private static ThreadPoolExecutor create() {
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
      ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), BallastThreads.factory("async"));
      pool.allowCoreThreadTimeOut(true);
      return pool;
    }
  }
}
