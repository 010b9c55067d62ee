package dev.ballast.examples;

import dev.ballast.cache.annotation.CacheEvict;
import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.annotation.Degradable;
import dev.ballast.degradation.annotation.Feature;
import dev.ballast.degradation.annotation.Write;

/**
 * The storefront service: what its web tier calls. {@link StorefrontImpl} implements it over the database,
 * the payment provider and the order-confirmation queue; with Ballast, {@link Instance} wraps that
 * implementation in one call ({@code Wrapper.wrap(Storefront.class, impl, registry)}), so the annotations
 * here decide what is cached, what is non-critical and what is a write. Without Ballast the same
 * implementation is called directly and the annotations do nothing.
 */
public interface Storefront {

  /**
   * The product page: read-mostly, the hot path (78 % of the traffic). Read through the two-level cache
   * {@code products}; while serve-cached is on, a miss does not reach the database.
   */
  @Cached("products")
  Product product(String sku);

  /** The "you may also like" box: a heavy query, and not critical (the page renders without it). */
  @Degradable(fallback = "noRecommendations")
  @Feature("recommendations")
  Recommendations recommendations(String user);

  /** The fallback of {@link #recommendations}: an empty box, at once. */
  Recommendations noRecommendations(String user);

  /** Adds a line to the user's cart (a database write; refused in read-only mode). */
  @Write
  void addToCart(String user, String sku, int quantity);

  /** A merchandiser changes a price: a write that evicts the product on every instance. */
  @Write
  @CacheEvict(value = "products", key = "{0}")
  void updatePrice(String sku, long priceCents);

  /** Charges the payment provider, stores the order, queues the confirmation e-mail. */
  @Write
  Receipt checkout(String user, String orderId, long amountCents);
}
