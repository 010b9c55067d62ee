package dev.ballast.core;

import org.jspecify.annotations.Nullable;

/**
 * The action a {@link Policy} runs: a supplier that may throw a checked exception.
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface CheckedSupplier<T extends @Nullable Object> {

  /** Computes the result, or throws. */
  T get() throws Exception;
}
