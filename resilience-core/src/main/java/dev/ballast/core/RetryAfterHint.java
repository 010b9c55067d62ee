package dev.ballast.core;

import java.time.Duration;

/**
 * Implemented by an exception that knows when trying again makes sense, such as a client's exception
 * for an HTTP 429 with a {@code Retry-After} header. {@link Retry} waits that long instead of its backoff
 * delay (and gives up if that would pass its deadline).
 */
public interface RetryAfterHint {

  /** How long to wait before the next attempt; never negative. */
  Duration retryAfter();
}
