package dev.ballast.core;

/**
 * A policy refused to run the call at all (the action was never invoked): the circuit is open, no
 * permit was available, and so on. Fallbacks often handle exactly this family.
 */
public abstract class CallRejectedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String policyName;

  /**
   * @param policyName the name of the refusing policy
   * @param message what was refused and why, for logs
   */
  protected CallRejectedException(String policyName, String message) {
    // Rejections are flow control, not bugs: no stack trace, which would cost more than the call.
    super(message, null, false, false);
    this.policyName = policyName;
  }

  /** The name of the policy that refused the call. */
  public String policyName() {
    return policyName;
  }
}
