package dev.ballast.core;

/**
 * The action a {@link Policy} runs: a supplier that may throw a checked exception.
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface CheckedSupplier<T> {

  /** Computes the result, or throws. */
  T get() throws Exception;
}
