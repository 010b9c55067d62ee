package dev.ballast.cache.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.BallastThreads;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} sampled about once a millisecond by one daemon thread, for the L1 hit check:
 * reading it is one volatile load, where {@code nanoTime} costs 20–50 ns on common VMs (ten times a
 * Caffeine lookup). Same time base as {@link Ticker#system()}, so deadlines computed with one compare
 * correctly with the other. Its thread, {@code ballast-cache-clock}, is started by the first cache's
 * {@code build()} ({@code TieredCacheBuilder.coarseHitClock(false)} or any other ticker does without it).
 * It lags the true time by the sampling period plus any scheduling delay, which
 * can only make an L1 entry live that much longer (documented in the README). The thread runs while at
 * least one cache uses the clock.
 *
 * <p>Shared state: {@code now} (volatile, written by the sampling thread only) and the user count and
 * thread, guarded by the class lock (taken only when a cache is built or closed).
 */
final class CoarseClock implements Ticker {

  static final CoarseClock INSTANCE = new CoarseClock();
  private static final long PERIOD_NANOS = 1_000_000;

  private volatile long now = System.nanoTime();
  private int users;
  private Thread sampler;

  private CoarseClock() {}

  @Override
  public long read() {
    return now;
  }

  /** {@link #read()} of {@link #INSTANCE}, for the L1 hit path: no interface call. */
  static long now() {
    return INSTANCE.now;
  }

  /** Registers a user; starts sampling if it is the first. */
  synchronized CoarseClock acquire() {
    if (users++ == 0) {
      now = System.nanoTime();
      Thread thread = BallastThreads.thread("cache-clock", this::sample);
      sampler = thread;
      thread.start();
    }
    return this;
  }

  /** Unregisters a user; stops sampling after the last. */
  synchronized void release() {
    if (users > 0 && --users == 0) {
      Thread thread = sampler;
      sampler = null;
      LockSupport.unpark(thread);
    }
  }

  private void sample() {
    Thread self = Thread.currentThread();
    while (isCurrent(self)) {
      now = System.nanoTime();
      LockSupport.parkNanos(PERIOD_NANOS);
    }
  }

  private synchronized boolean isCurrent(Thread thread) {
    return sampler == thread;
  }
}
