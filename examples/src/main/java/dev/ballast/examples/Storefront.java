package dev.ballast.examples;

import dev.ballast.core.annotation.Degradable;

/**
 * The storefront service: what its web tier calls. {@link StorefrontImpl} implements it over the database,
 * the payment provider and the order-confirmation queue; with Ballast, {@link Instance} wraps that
 * implementation in one call ({@code Wrapper.wrap(Storefront.class, impl, registry)}), so the annotations
 * here decide what is cached, what is non-critical and what is a write.
 */
public interface Storefront {

  /** The product page: read-mostly, the hot path (about 78 % of the traffic). */
  Product product(String sku);

  /** The "you may also like" box: a heavy query, not critical (the page renders without it). */
  @Degradable(fallback = "noRecommendations")
  Recommendations recommendations(String user);

  /** The fallback of {@link #recommendations}: an empty box, at once. */
  Recommendations noRecommendations(String user);

  /** Adds a line to the user's cart (a database write). */
  void addToCart(String user, String sku, int quantity);

  /** A merchandiser changes a price (a database write that makes cached copies stale). */
  void updatePrice(String sku, long priceCents);

  /** Charges the payment provider, stores the order, queues the confirmation e-mail. */
  Receipt checkout(String user, String orderId, long amountCents);
}
