package dev.ballast.examples;

import dev.ballast.cache.TieredCache;
import dev.ballast.degradation.Switchboard;

/**
 * Does by hand what {@code @Cached("products")}, {@code @CacheEvict("products")}, {@code @Feature} and
 * {@code @Write} will do once cache-tiers' and degradation's annotation handlers are on main: the target
 * of {@code Wrapper.wrap} until then, so core's annotations ({@code @Degradable}) already apply.
 */
final class InterimAnnotations implements Storefront {

  /** What a switched-off feature throws, for {@code @Degradable} to turn into its fallback. */
  static final class FeatureOffException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FeatureOffException(String feature) {
      super("feature '" + feature + "' is switched off", null, false, false);
    }
  }

  private final Storefront target;
  private final TieredCache<String, Product> products;
  private final Switchboard switchboard;

  InterimAnnotations(Storefront target, TieredCache<String, Product> products, Switchboard switchboard) {
    this.target = target;
    this.products = products;
    this.switchboard = switchboard;
  }

  @Override
  public Product product(String sku) {
    return products.get(sku, target::product);
  }

  @Override
  public Recommendations recommendations(String user) {
    if (!switchboard.isFeatureEnabled("recommendations")) {
      throw new FeatureOffException("recommendations");
    }
    return target.recommendations(user);
  }

  @Override
  public Recommendations noRecommendations(String user) {
    return target.noRecommendations(user);
  }

  @Override
  public void addToCart(String user, String sku, int quantity) {
    switchboard.guardWrite("addToCart");
    target.addToCart(user, sku, quantity);
  }

  @Override
  public void updatePrice(String sku, long priceCents) {
    switchboard.guardWrite("updatePrice");
    target.updatePrice(sku, priceCents);
    products.invalidate(sku);
  }

  @Override
  public Receipt checkout(String user, String orderId, long amountCents) {
    switchboard.guardWrite("checkout");
    return target.checkout(user, orderId, amountCents);
  }
}
