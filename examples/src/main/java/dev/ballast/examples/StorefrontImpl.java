package dev.ballast.examples;

import dev.ballast.degradation.ReadOnlyModeException;
import java.util.List;

/**
 * The storefront's business logic, the same in both runs: it knows nothing of caches, switches or
 * retries. Without Ballast the load driver calls it directly; with Ballast it is the target of the
 * wrapped {@link Storefront}, its database and payment provider are wrapped too, and its fallbacks defer
 * writes refused before they ran to {@link DeferredWrites} (see {@link DeferredWrites#mayDefer}).
 */
final class StorefrontImpl implements Storefront {

  private final Database database;
  private final Payments payments;
  private final OrderJobs confirmations;
  private final DeferredWrites deferred;

  StorefrontImpl(Database database, Payments payments, OrderJobs confirmations, DeferredWrites deferred) {
    this.database = database;
    this.payments = payments;
    this.confirmations = confirmations;
    this.deferred = deferred;
  }

  @Override
  public Product product(String sku) {
    return database.findProduct(sku);
  }

  @Override
  public Recommendations recommendations(String user) {
    return new Recommendations(database.recommendationsFor(user), false);
  }

  @Override
  public Recommendations noRecommendations(String user) {
    return Recommendations.none();
  }

  @Override
  public List<Product> search(String text) {
    return database.search(text);
  }

  @Override
  public void addToCart(String user, String sku, int quantity) {
    database.saveCartLine(user, sku, quantity);
  }

  @Override
  public void deferAddToCart(String user, String sku, int quantity, RuntimeException failure) {
    if (!DeferredWrites.mayDefer(failure)) {
      throw failure;
    }
    deferred.deferCartLine(user, sku, quantity);
  }

  @Override
  public PriceChange updatePrice(String sku, long priceCents) {
    database.updatePrice(sku, priceCents, System.currentTimeMillis());
    return new PriceChange(sku, priceCents, false);
  }

  /**
   * Stamps the change with the time it was asked for: applied later, it still loses to any change asked for
   * after it. (One clock serves both instances here; a real fleet would take the time from the database
   * or the request, or a version per product.)
   */
  @Override
  public PriceChange deferPriceChange(String sku, long priceCents, RuntimeException failure) {
    if (!DeferredWrites.mayDefer(failure)) {
      throw failure;
    }
    deferred.deferPriceChange(sku, priceCents, System.currentTimeMillis());
    return new PriceChange(sku, priceCents, true);
  }

  /**
   * Charges, stores the order, queues its confirmation. A database that refuses the order without running
   * anything, after the charge, is reported as {@link OrderNotStoredException} with the payment, so that
   * {@link #deferCheckout} can store the order later without charging twice.
   */
  @Override
  public Receipt checkout(String user, String orderId, long amountCents) {
    String payment = payments.charge(orderId, amountCents);
    try {
      database.saveOrder(orderId, user, amountCents);
    } catch (RuntimeException failure) {
      throw DeferredWrites.mayDefer(failure) ? new OrderNotStoredException(orderId, payment, failure) : failure;
    }
    confirmations.enqueue(orderId); // the e-mail goes out after the response, from the workers
    return new Receipt(orderId, payment, false);
  }

  /**
   * Charges now and defers only what needs the database. Charging later instead would tell a customer
   * whose card is declined by e-mail, after they left, and would send every deferred charge to the
   * provider in one burst when the database returns, against its 40 calls a second. The job that stores
   * the order never charges, so running it twice (at-least-once delivery) cannot charge twice.
   */
  @Override
  public Receipt deferCheckout(String user, String orderId, long amountCents, RuntimeException failure) {
    if (failure instanceof OrderNotStoredException paidOnly) { // charged already: store the order only
      deferred.deferOrder(orderId, user, amountCents);
      return new Receipt(orderId, paidOnly.paymentId(), true);
    }
    if (!(failure instanceof ReadOnlyModeException)) { // the charge failed, or the order's query may have run
      throw failure;
    }
    String payment = payments.charge(orderId, amountCents);
    deferred.deferOrder(orderId, user, amountCents);
    return new Receipt(orderId, payment, true);
  }
}
