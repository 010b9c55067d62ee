package dev.ballast.core;

/** An action without a result that may throw a checked exception; see {@link Policy#run}. */
@FunctionalInterface
public interface CheckedRunnable {

  /** Runs the action, or throws. */
  void run() throws Exception;
}
