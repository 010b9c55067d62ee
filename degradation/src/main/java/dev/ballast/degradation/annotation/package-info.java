/**
 * The switchboard's annotations, applied by {@link dev.ballast.core.annotation.Wrapper#wrap}:
 * {@link dev.ballast.degradation.annotation.Feature @Feature} (a non-critical feature that can be switched
 * off) and {@link dev.ballast.degradation.annotation.Write @Write} (refused in read-only mode).
 */
package dev.ballast.degradation.annotation;
