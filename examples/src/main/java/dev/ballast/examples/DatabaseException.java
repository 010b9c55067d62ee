package dev.ballast.examples;

/**
 * A query failed: the database is down, or no connection was free within the pool's wait timeout, or the
 * query was interrupted. {@link #ranNothing()} tells a failure that certainly left the database untouched
 * (no connection was had) from one that may have run.
 */
final class DatabaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean ranNothing;

  DatabaseException(String message, boolean ranNothing) {
    super(message, null, false, false); // thousands per second in an outage: no stack traces
    this.ranNothing = ranNothing;
  }

  /** Whether the statement certainly did not run (no connection was had), so a write may be retried later. */
  boolean ranNothing() {
    return ranNothing;
  }
}
