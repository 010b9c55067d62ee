package dev.ballast.examples;

import dev.ballast.cache.OriginSparedException;
import dev.ballast.degradation.LatencyRecorder;
import dev.ballast.degradation.OutcomeRecorder;
import java.util.List;

/**
 * Records the product page's latency and outcome into the recorders the switchboard's triggers watch
 * (what an HTTP filter does in a real service). A miss refused because serve-cached spares the origin
 * counts as a success here (the client still sees an error): it is the switchboard's own doing, not a sign
 * of trouble at the origin. Counted as a failure it would keep serve-cached on forever; left out, the
 * window could hold too few calls for the error ratio to have an opinion, which also keeps it on. The
 * other methods pass through.
 */
final class ProductReadSlo implements Storefront {

  private final Storefront delegate;
  private final LatencyRecorder latency;
  private final OutcomeRecorder outcomes;

  ProductReadSlo(Storefront delegate, LatencyRecorder latency, OutcomeRecorder outcomes) {
    this.delegate = delegate;
    this.latency = latency;
    this.outcomes = outcomes;
  }

  @Override
  public Product product(String sku) {
    long start = System.nanoTime();
    try {
      Product product = delegate.product(sku);
      outcomes.recordSuccess();
      return product;
    } catch (OriginSparedException spared) {
      outcomes.recordSuccess();
      throw spared;
    } catch (RuntimeException failure) {
      outcomes.recordFailure();
      throw failure;
    } finally {
      latency.record(System.nanoTime() - start);
    }
  }

  @Override
  public Recommendations recommendations(String user) {
    return delegate.recommendations(user);
  }

  @Override
  public Recommendations noRecommendations(String user) {
    return delegate.noRecommendations(user);
  }

  @Override
  public List<Product> search(String text) {
    return delegate.search(text);
  }

  @Override
  public void addToCart(String user, String sku, int quantity) {
    delegate.addToCart(user, sku, quantity);
  }

  @Override
  public void deferAddToCart(String user, String sku, int quantity, RuntimeException failure) {
    delegate.deferAddToCart(user, sku, quantity, failure);
  }

  @Override
  public PriceChange updatePrice(String sku, long priceCents) {
    return delegate.updatePrice(sku, priceCents);
  }

  @Override
  public PriceChange deferPriceChange(String sku, long priceCents, RuntimeException failure) {
    return delegate.deferPriceChange(sku, priceCents, failure);
  }

  @Override
  public Receipt checkout(String user, String orderId, long amountCents) {
    return delegate.checkout(user, orderId, amountCents);
  }

  @Override
  public Receipt deferCheckout(String user, String orderId, long amountCents, RuntimeException failure) {
    return delegate.deferCheckout(user, orderId, amountCents, failure);
  }
}
