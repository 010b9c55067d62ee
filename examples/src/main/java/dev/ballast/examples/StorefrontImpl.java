package dev.ballast.examples;

/**
 * The storefront's business logic, the same in both runs: it knows nothing of caches, switches or
 * retries. Without Ballast the load driver calls it directly; with Ballast it is the target of the
 * wrapped {@link Storefront}, and its database and payment provider are wrapped too.
 */
final class StorefrontImpl implements Storefront {

  private final Database database;
  private final Payments payments;
  private final OrderJobs confirmations;

  StorefrontImpl(Database database, Payments payments, OrderJobs confirmations) {
    this.database = database;
    this.payments = payments;
    this.confirmations = confirmations;
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
  public void addToCart(String user, String sku, int quantity) {
    database.saveCartLine(user, sku, quantity);
  }

  @Override
  public void updatePrice(String sku, long priceCents) {
    database.updatePrice(sku, priceCents);
  }

  @Override
  public Receipt checkout(String user, String orderId, long amountCents) {
    String payment = payments.charge(orderId, amountCents);
    database.saveOrder(orderId, user, amountCents);
    confirmations.enqueue(orderId); // the e-mail goes out after the response, from the workers
    return new Receipt(orderId, payment);
  }
}
