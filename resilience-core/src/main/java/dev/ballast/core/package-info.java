/**
 * Ballast's resilience policies: {@link dev.ballast.core.RateLimiter token-bucket rate limiting},
 * {@link dev.ballast.core.Backoff backoff}, {@link dev.ballast.core.Retry retries},
 * {@link dev.ballast.core.CircuitBreaker circuit breaking}, {@link dev.ballast.core.Timeout timeouts} and
 * {@link dev.ballast.core.Fallback fallbacks}, composed with {@link dev.ballast.core.Pipeline}.
 * Types in {@code dev.ballast.core.internal} are not API.
 */
package dev.ballast.core;
