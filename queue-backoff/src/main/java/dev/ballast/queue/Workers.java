package dev.ballast.queue;

import dev.ballast.core.internal.Check;
import java.util.function.IntToLongFunction;

/**
 * How a job type is worked on in this instance: how many handler calls may run at once, and optionally
 * a rate limiter every attempt must get a permit from first. A job that gets no permit is put back to
 * run after the limiter's wait; that does not count as an attempt.
 * <pre>{@code
 * Workers.of(4)                                         // four concurrent handlers
 * Workers.of(8).rateLimited(distributed::tryAcquire)    // bound to a fleet-wide quota
 * Workers.of(2).rateLimited(localLimiter::tryAcquire)   // or to a core RateLimiter
 * }</pre>
 *
 * @param concurrency handler calls running at once, 1 to 1024
 * @param permits the limiter, as a {@code tryAcquire(int)} that returns a packed result (&gt;= 0
 *     granted, &lt; 0 minus the nanoseconds to wait), as {@link dev.ballast.core.RateLimiter#tryAcquire(int)}
 *     and {@link DistributedRateLimiter#tryAcquire(int)} do; null for none
 */
public record Workers(int concurrency, IntToLongFunction permits) {

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

  /** These workers, each attempt taking one permit from {@code permits} first. */
  public Workers rateLimited(IntToLongFunction permits) {
    return new Workers(concurrency, Check.notNull(permits, "Workers.permits"));
  }
}
