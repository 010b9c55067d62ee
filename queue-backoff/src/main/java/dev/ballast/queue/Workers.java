package dev.ballast.queue;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.internal.Check;

/**
 * How a job type is worked on in this instance: how many handler calls may run at once, and optionally
 * a rate limiter every attempt must get a permit from first. A job that gets no permit is put back to
 * run after the limiter's wait; that does not count as an attempt.
 * <pre>{@code
 * Workers.of(4)                                  // four concurrent handlers
 * Workers.of(8).rateLimited(fleetQuota)          // bound to a fleet-wide quota (a DistributedRateLimiter)
 * Workers.of(2).rateLimited(localLimiter)        // or to this instance's RateLimiter
 * }</pre>
 *
 * @param concurrency handler calls running at once, 1 to 1024
 * @param limiter the limiter each attempt takes one permit from first (its
 *     {@link RateLimiter#tryAcquireOrNanosToWait(int)}); null for none
 */
public record Workers(int concurrency, RateLimiter limiter) {

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
    return new Workers(concurrency, null);
  }

  /**
   * These workers, each attempt taking one permit from {@code limiter} first.
   *
   * @throws NullPointerException if {@code limiter} is null
   */
  public Workers rateLimited(RateLimiter limiter) {
    return new Workers(concurrency, Check.notNull(limiter, "Workers.limiter"));
  }
}
