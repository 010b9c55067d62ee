package dev.ballast.examples;

import dev.ballast.core.annotation.CircuitBreaker;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The storefront's database, as the service sees it. With Ballast every call passes the circuit breaker
 * {@code database} (from {@code storefront.yaml}): an outage opens it, its state drives the switchboard's
 * {@code database-down} trigger, and {@link DatabaseProbe}'s pings are its half-open probes, so the fleet
 * learns that the database is back even while serve-cached spares it. Without Ballast the service calls
 * {@link SimulatedDatabase} directly and these annotations do nothing.
 */
public interface Database {

  /** One product by SKU; null if there is none. */
  @CircuitBreaker("database")
  Product findProduct(String sku);

  /**
   * Many products in one query ({@code SELECT ... WHERE sku IN (...)}), for the cache's warm-up: the SKUs
   * found, by SKU (unknown ones left out). One query holds one connection, a little longer per row.
   */
  @CircuitBreaker("database")
  Map<String, Product> findProducts(Collection<String> skus);

  /** The products to recommend to a user (one heavy query). */
  @CircuitBreaker("database")
  List<Product> recommendationsFor(String user);

  /**
   * The products matching a search (a full-text match over the catalog: one heavy query, and never
   * cached, as every user's words differ).
   */
  @CircuitBreaker("database")
  List<Product> search(String text);

  /** Stores a cart line. */
  @CircuitBreaker("database")
  void saveCartLine(String user, String sku, int quantity);

  /**
   * Sets a product's price as of {@code asOfMillis}, when the merchandiser asked for it, unless the price
   * stored is newer (as {@code UPDATE ... WHERE price_as_of <= ?} would): a change deferred during an outage
   * and applied later never undoes one made after it.
   */
  @CircuitBreaker("database")
  void updatePrice(String sku, long priceCents, long asOfMillis);

  /** Stores a paid order. */
  @CircuitBreaker("database")
  void saveOrder(String orderId, String user, long amountCents);

  /** A trivial query ({@code SELECT 1}): is the database answering? */
  @CircuitBreaker("database")
  void ping();
}
