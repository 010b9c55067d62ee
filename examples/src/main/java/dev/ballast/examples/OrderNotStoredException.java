package dev.ballast.examples;

/**
 * A checkout charged the payment provider, then the database refused to store the order without running
 * anything. Carries the payment, so that a fallback may defer storing the order without charging again.
 */
final class OrderNotStoredException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String paymentId;

  OrderNotStoredException(String orderId, String paymentId, RuntimeException cause) {
    super("order " + orderId + " paid (" + paymentId + ") but not stored: " + cause.getMessage(), cause, false, false);
    this.paymentId = paymentId;
  }

  /** The provider's reference of the payment already taken. */
  String paymentId() {
    return paymentId;
  }
}
