package dev.ballast.core.annotation.spi;

import dev.ballast.core.annotation.CircuitBreaker;
import dev.ballast.core.annotation.Fallback;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.core.annotation.Retry;
import dev.ballast.core.annotation.Timeout;

/**
 * The one place that fixes the order in which annotations apply, outermost first:
 *
 * <ol>
 *   <li>{@code @Fallback} ({@value #FALLBACK}): the fallback sees the final outcome of everything inside.
 *   <li>{@code @Feature} ({@value #FEATURE}): a feature that is switched off goes straight to the fallback.
 *   <li>{@code @Write} ({@value #WRITE_GUARD}): refused in read-only mode before anything is spent on it.
 *   <li>{@code @Cached} / {@code @CacheEvict} ({@value #CACHE}): a cache hit spends no retry, no breaker
 *       call and no rate-limit permit.
 *   <li>{@code @Retry} ({@value #RETRY}): each attempt passes everything below.
 *   <li>{@code @CircuitBreaker} ({@value #CIRCUIT_BREAKER}): an open breaker spends no permit.
 *   <li>{@code @RateLimited} ({@value #RATE_LIMIT}).
 *   <li>{@code @Timeout} ({@value #TIMEOUT}): bounds each attempt.
 * </ol>
 * This matches {@link dev.ballast.core.Pipeline}'s documented order for the same policies.
 */
public final class InterceptorOrder {

  public static final int FALLBACK = 100;
  public static final int FEATURE = 200;
  public static final int WRITE_GUARD = 300;
  public static final int CACHE = 400;
  public static final int RETRY = 500;
  public static final int CIRCUIT_BREAKER = 600;
  public static final int RATE_LIMIT = 700;
  public static final int TIMEOUT = 800;

  private InterceptorOrder() {}
}
