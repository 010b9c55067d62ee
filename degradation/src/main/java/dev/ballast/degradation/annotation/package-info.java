/**
 * The switchboard's annotations, applied by {@link dev.ballast.core.annotation.Wrapper#wrap}:
 * {@link dev.ballast.degradation.annotation.Feature @Feature} (a non-critical feature that can be switched
 * off) and {@link dev.ballast.degradation.annotation.Write @Write} (refused in read-only mode).
 * Non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.ballast.degradation.annotation;

import org.jspecify.annotations.NullMarked;
