package dev.ballast.core;

import java.time.Duration;

/** The call did not finish within its {@link Timeout}. */
public class TimeoutExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Duration timeout;

  /**
   * @param policyName the name of the timeout that was exceeded
   * @param timeout its limit
   */
  public TimeoutExceededException(String policyName, Duration timeout) {
    super("Timeout '" + policyName + "': the call did not finish within " + timeout);
    this.timeout = timeout;
  }

  /** The limit that was exceeded. */
  public Duration timeout() {
    return timeout;
  }
}
