package dev.ballast.core;

/**
 * How a {@link Backoff} spreads its delays so that clients that failed together do not retry together.
 * The names follow the analysis in Marc Brooker's "Exponential Backoff and Jitter" (AWS, 2015); with
 * {@code d} the un-jittered exponential delay of the attempt:
 */
public enum Jitter {
  /** Exactly {@code d}. Clients in lock step stay in lock step: use only when there is one client. */
  NONE,
  /** Uniform in {@code [0, d]}: the least total work for the server, the widest spread of delays. */
  FULL,
  /** Uniform in {@code [d/2, d]}: never retries much sooner than planned. */
  EQUAL,
  /**
   * Uniform in {@code [initial, 3 × previous delay]}, capped at the maximum: grows from the previous
   * delay rather than from the attempt number.
   */
  DECORRELATED
}
