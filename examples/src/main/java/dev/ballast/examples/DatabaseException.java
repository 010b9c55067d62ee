package dev.ballast.examples;

/** A query failed: the database is down, or no connection was free within the pool's wait timeout. */
final class DatabaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DatabaseException(String message) {
    super(message, null, false, false); // thousands per second in an outage: no stack traces
  }
}
