/**
 * Ballast's resilience policies: {@link dev.ballast.core.RateLimiter token-bucket rate limiting},
 * {@link dev.ballast.core.Backoff backoff}, {@link dev.ballast.core.Retry retries},
 * {@link dev.ballast.core.CircuitBreaker circuit breaking}, {@link dev.ballast.core.Timeout timeouts} and
 * {@link dev.ballast.core.Fallback fallbacks}, composed with {@link dev.ballast.core.Pipeline}.
 * Types in {@code dev.ballast.core.internal} are not API.
 *
 * <h2>Nullness and "none"</h2>
 * Every API package of resilience-core is {@link org.jspecify.annotations.NullMarked @NullMarked}: a
 * parameter, result or record component is non-null unless it is marked
 * {@link org.jspecify.annotations.Nullable @Nullable}. One convention says that a setting is absent:
 * <ul>
 *   <li>In a config record, an optional setting that can be absent is a {@code @Nullable} component, and
 *       {@code null} means "none" (no deadline, no budget, wait forever), as its Javadoc says.</li>
 *   <li>In a builder, an option that is off by default is simply not set; an option that is on by default
 *       and can be switched off has its own method saying so, such as
 *       {@link dev.ballast.core.CircuitBreakerBuilder#withoutMaxHalfOpenDuration()}. Setters never take
 *       {@code null}.</li>
 *   <li>A {@link java.time.Duration} is never a sentinel: {@code Duration.ZERO} does not mean "forever" or
 *       "off". Where a duration must be positive, zero is refused with a message naming the option and
 *       the way to say "none".</li>
 *   <li>In YAML configuration, "none" is written {@code none} where a key allows it (for example
 *       {@code maxHalfOpenDuration: none}); an absent key keeps the default.</li>
 * </ul>
 */
@NullMarked
package dev.ballast.core;

import org.jspecify.annotations.NullMarked;
