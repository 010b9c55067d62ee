package dev.ballast.examples;

import dev.ballast.cache.annotation.CacheEvict;
import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.ConcurrencyLimitExceededException;
import dev.ballast.core.annotation.ConcurrencyLimit;
import dev.ballast.core.annotation.Fallback;
import dev.ballast.degradation.annotation.Feature;
import dev.ballast.degradation.annotation.Write;
import java.util.List;

/**
 * The storefront service: what its web tier calls. {@link StorefrontImpl} implements it over the database,
 * the payment provider and the order-confirmation queue; with Ballast, {@link Instance} wraps that
 * implementation in one call ({@code Wrapper.wrap(Storefront.class, impl, registry)}), so the annotations
 * here decide what is cached, what is non-critical, what is a write and which writes are deferred to the
 * job queue: those refused before they ran, by read-only mode, the database's breaker or a database that
 * refused the connection ({@link DeferredWrites#mayDefer}). Without Ballast the same implementation is
 * called directly and the annotations do nothing.
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
   * {@link #deferAddToCart} accepts it into the job queue instead; so it does when the database refused it
   * without running it (down before the fleet turned read-only, its breaker open, no free connection). A
   * failure that may have written reaches the caller.
   */
  @Fallback("deferAddToCart")
  @Write
  void addToCart(String user, String sku, int quantity);

  /**
   * The fallback of {@link #addToCart}: for a write refused before it ran ({@link DeferredWrites#mayDefer}),
   * queues the cart line as a {@code cart-line} job on the queue {@code writes}, applied once the database
   * is back (write-behind), and returns once the job is stored; any other failure it throws again.
   *
   * @param failure why the write was not applied now
   */
  void deferAddToCart(String user, String sku, int quantity, RuntimeException failure);

  /**
   * A merchandiser changes a price: a write that evicts the product on every instance once stored. In
   * read-only mode the write guard refuses it before the eviction, and {@link #deferPriceChange} accepts it
   * into the job queue instead, so the cache keeps serving the old price through the outage; so it does
   * when the database refused it without running it.
   *
   * @return the change, not pending
   */
  @Fallback("deferPriceChange")
  @Write
  @CacheEvict(value = "products", key = "{0}")
  PriceChange updatePrice(String sku, long priceCents);

  /**
   * The fallback of {@link #updatePrice}, for a change refused before it ran ({@link DeferredWrites#mayDefer};
   * any other failure it throws again): queues the change as a {@code price-change} job on the queue
   * {@code writes}, stamped with the time it was asked for (a later change wins however late this one
   * lands). The job stores it and evicts the product on every instance.
   *
   * @param failure why the change was not stored now
   * @return the change, {@linkplain PriceChange#pending() pending}
   */
  PriceChange deferPriceChange(String sku, long priceCents, RuntimeException failure);

  /**
   * Charges the payment provider, stores the order, queues the confirmation e-mail. In read-only mode
   * {@link #deferCheckout} takes over; so it does when the order was paid and the database refused it
   * without running it ({@link OrderNotStoredException}). Other failures reach the caller.
   */
  @Fallback("deferCheckout")
  @Write
  Receipt checkout(String user, String orderId, long amountCents);

  /**
   * The fallback of {@link #checkout}. For a read-only refusal it charges the payment provider now (it is
   * not the database, and a declined card is best told while the customer is there); for an
   * {@link OrderNotStoredException} the order is paid already and it charges nothing. Either way it queues
   * the rest (storing the order, then queueing its confirmation) as a {@code place-order} job on the queue
   * {@code writes}, idempotency key the order id. Any other failure it throws again: the charge failed, or
   * the order's query may have run.
   *
   * @param failure why the order was not stored now
   * @return a receipt {@linkplain Receipt#pending() pending}: paid, stored once the database is back
   */
  Receipt deferCheckout(String user, String orderId, long amountCents, RuntimeException failure);
}
