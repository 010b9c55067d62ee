package dev.ballast.examples;

import dev.ballast.core.annotation.CircuitBreaker;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.core.annotation.Retry;
import dev.ballast.core.annotation.Timeout;

/**
 * The payment provider's API, as the storefront calls it. With Ballast the call runs under the
 * {@code payments} policies of {@code storefront.yaml} (copied from the {@code external-api} preset): retries
 * that honour the provider's Retry-After, a breaker, our own limiter below the provider's quota, and a
 * per-attempt timeout. Without Ballast the storefront calls {@link PaymentProvider} directly.
 */
public interface Payments {

  /**
   * Charges an order and returns the provider's payment id. The order id is the provider's idempotency
   * key (as payment APIs offer), so a retried attempt whose first try did go through is still one charge.
   *
   * @throws PaymentProvider.TooManyRequests when over the provider's quota (429, with Retry-After)
   */
  @Retry("payments")
  @CircuitBreaker("payments")
  @RateLimited("payments")
  @Timeout("payments")
  String charge(String orderId, long amountCents);
}
