package dev.ballast.queue;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.internal.Check;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * How a job type is worked on in this instance: how many handler calls may run at once, and optionally
 * a rate limiter every attempt must get a permit from first. A job that gets no permit is put back to
 * run after the limiter's wait; that does not count as an attempt.
 * <pre>{@code
 * Workers.of(4)                                  // four concurrent handlers
 * Workers.of(8).rateLimited(fleetQuota)          // bound to a fleet-wide quota (a DistributedRateLimiter)
 * Workers.of(2).rateLimited(localLimiter)        // or to this instance's RateLimiter
 * Workers.of(4).executor(appExecutor)            // handlers on the application's threads
 * }</pre>
 *
 * @param concurrency handler calls running at once, 1 to 1024
 * @param limiter the limiter each attempt takes one permit from first (its
 *     {@link RateLimiter#tryAcquireOrNanosToWait(int)}); null for none
 * @param executor where handlers run; null (the default) for threads the queue starts itself, named
 *     {@code ballast-queue-NAME-TYPE-N} (see docs/threads.md)
 */
public record Workers(int concurrency, @Nullable RateLimiter limiter, @Nullable Executor executor) {

  /** Validates; messages name the field. */
  public Workers {
    Check.atLeast(concurrency, 1, "Workers.concurrency");
    Check.atMost(concurrency, 1024, "Workers.concurrency");
  }

  /**
   * {@code concurrency} workers without a rate limit.
   *
   * @throws IllegalArgumentException if {@code concurrency} is not in 1..1024
   */
  public static Workers of(int concurrency) {
    return new Workers(concurrency, null, null);
  }

  /**
   * These workers, each attempt taking one permit from {@code limiter} first.
   *
   * @throws NullPointerException if {@code limiter} is null
   */
  public Workers rateLimited(RateLimiter limiter) {
    return new Workers(concurrency, Check.notNull(limiter, "Workers.limiter"), executor);
  }

  /**
   * These workers, running their handlers on {@code executor} instead of threads the queue starts. The
   * queue still never runs more than {@code concurrency} handlers at once and claims a job only for a free
   * slot, so the executor must be able to start {@code concurrency} tasks at once (a smaller bounded
   * pool makes claimed jobs wait in it while their visibility timeout runs; one that rejects a task gets
   * that job handed back to the queue, its attempt not counted, ready again one poll interval later, and
   * the queue claims less often, up to once a second, while the executor keeps refusing). A handler
   * written off as hung, or still running when shutdown gives up, is interrupted on the executor's thread
   * (only while it runs there); shutdown never shuts the executor down.
   *
   * @throws NullPointerException if {@code executor} is null
   */
  public Workers executor(Executor executor) {
    return new Workers(concurrency, limiter, Check.notNull(executor, "Workers.executor"));
  }
}
