package dev.ballast.examples;

/** How one request went, as its client saw it. */
enum Outcome {
  /** A full answer within the deadline. */
  OK,
  /** An answer within the deadline, but a fallback (no recommendations). */
  DEGRADED,
  /** An exception, or any answer after the deadline. */
  ERROR
}
