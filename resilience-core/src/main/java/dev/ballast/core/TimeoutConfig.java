package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.time.Duration;

/**
 * The immutable settings of a {@link Timeout}.
 *
 * @param name names the timeout in metrics and exception messages
 * @param limit how long a call may take (positive)
 * @param interrupt whether a synchronous call still running at the limit has its thread interrupted;
 *     without it the call runs to its end and its result is then discarded
 */
public record TimeoutConfig(String name, Duration limit, boolean interrupt) {

  /** Validates every field; messages name the field. */
  public TimeoutConfig {
    Check.notBlank(name, "Timeout.name");
    Check.positive(limit, "Timeout.limit");
  }
}
