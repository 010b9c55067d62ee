/**
 * Annotations that put resilience-core's policies on interface methods ({@code @Retry}, {@code @CircuitBreaker},
 * {@code @RateLimited}, {@code @Timeout}, {@code @Fallback}), applied by {@link dev.ballast.core.annotation.Wrapper#wrap}.
 * Non-null unless marked {@code @Nullable}; see {@link dev.ballast.core}.
 */
@NullMarked
package dev.ballast.core.annotation;

import org.jspecify.annotations.NullMarked;
