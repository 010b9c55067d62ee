package dev.ballast.examples;

import dev.ballast.cache.annotation.CacheEvict;
import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.ConcurrencyLimitExceededException;
import dev.ballast.core.annotation.ConcurrencyLimit;
import dev.ballast.core.annotation.Fallback;
import dev.ballast.degradation.ReadOnlyModeException;
import dev.ballast.degradation.annotation.Feature;
import dev.ballast.degradation.annotation.Write;
import java.util.List;

/**
 * The storefront service: what its web tier calls. {@link StorefrontImpl} implements it over the database,
 * the payment provider and the order-confirmation queue; with Ballast, {@link Instance} wraps that
 * implementation in one call ({@code Wrapper.wrap(Storefront.class, impl, registry)}), so the annotations
 * here decide what is cached, what is non-critical, what is a write and which writes are deferred to the
 * job queue while the fleet is read-only. Without Ballast the same implementation is called directly and
 * the annotations do nothing.
 */
public interface Storefront {

  /**
   * The product page: read-mostly, the hot path (78 % of the traffic). Read through the two-level cache
   * {@code products}; while serve-cached is on, a miss does not reach the database.
   */
  @Cached("products")
  Product product(String sku);

  /** The "you may also like" box: a heavy query, and not critical (the page renders without it). */
  @Fallback("noRecommendations")
  @Feature("recommendations")
  Recommendations recommendations(String user);

  /** The fallback of {@link #recommendations}: an empty box, at once. */
  Recommendations noRecommendations(String user);

  /**
   * The search box: uncached (every user's words differ), one heavy query on the database's connections,
   * the bottleneck. With Ballast the adaptive concurrency limiter {@code search} (from
   * {@code storefront.yaml}) lets in about as many searches as the database serves without a queue and
   * refuses the rest at once with a {@link ConcurrencyLimitExceededException} carrying a retry-after hint
   * (a web tier answers 503 with {@code Retry-After}), so a spike cannot queue the searches, or the other
   * queries behind them, past their deadline.
   */
  @ConcurrencyLimit("search")
  List<Product> search(String text);

  /**
   * Adds a line to the user's cart (a database write). In read-only mode the write guard refuses it and
   * {@link #deferAddToCart} accepts it into the job queue instead; any other failure (the database down
   * before the fleet turned read-only, a full connection pool) reaches the caller.
   */
  @Fallback("deferAddToCart")
  @Write
  void addToCart(String user, String sku, int quantity);

  /**
   * The fallback of {@link #addToCart}, for read-only refusals only (the parameter's type says so): queues
   * the cart line as a {@code cart-line} job on the queue {@code writes}, applied once the database is back
   * (write-behind). Returns once the job is stored.
   *
   * @param refused why the write was not applied now
   */
  void deferAddToCart(String user, String sku, int quantity, ReadOnlyModeException refused);

  /**
   * A merchandiser changes a price: a write that evicts the product on every instance once stored. In
   * read-only mode the write guard refuses it before the eviction, and {@link #deferPriceChange} accepts it
   * into the job queue instead, so the cache keeps serving the old price through the outage.
   *
   * @return the change, not pending
   */
  @Fallback("deferPriceChange")
  @Write
  @CacheEvict(value = "products", key = "{0}")
  PriceChange updatePrice(String sku, long priceCents);

  /**
   * The fallback of {@link #updatePrice}, for read-only refusals only: queues the change as a
   * {@code price-change} job on the queue {@code writes}, stamped with the time it was asked for (a later
   * change wins however late this one lands). The job stores it and evicts the product on every instance.
   *
   * @param refused why the change was not stored now
   * @return the change, {@linkplain PriceChange#pending() pending}
   */
  PriceChange deferPriceChange(String sku, long priceCents, ReadOnlyModeException refused);

  /**
   * Charges the payment provider, stores the order, queues the confirmation e-mail. In read-only mode
   * {@link #deferCheckout} takes over; other failures reach the caller.
   */
  @Fallback("deferCheckout")
  @Write
  Receipt checkout(String user, String orderId, long amountCents);

  /**
   * The fallback of {@link #checkout}, for read-only refusals only: charges the payment provider now (it
   * is not the database, and a declined card is best told while the customer is there), and queues the
   * rest (storing the order, then queueing its confirmation) as a {@code place-order} job on the queue
   * {@code writes}, idempotency key the order id.
   *
   * @param refused why the order was not stored now
   * @return a receipt {@linkplain Receipt#pending() pending}: paid, stored once the database is back
   */
  Receipt deferCheckout(String user, String orderId, long amountCents, ReadOnlyModeException refused);
}
