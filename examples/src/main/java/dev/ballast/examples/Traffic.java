package dev.ballast.examples;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The storefront's request mix: 73 % product pages (SKUs drawn from a Zipf distribution over the
 * catalog), 5 % searches (uncached, on the database: the load-shedding part), 10 % recommendations, 7.5 % cart writes, 0.5 % price changes, 4 % checkouts. Stateless and
 * thread-safe.
 */
final class Traffic {

  /** What a request does. */
  enum Kind { PRODUCT, SEARCH, RECOMMENDATIONS, CART, PRICE, CHECKOUT }

  private static final Zipf POPULARITY = new Zipf(SimulatedDatabase.CATALOG_SIZE, 1.0);
  private static final int USERS = 10_000;
  private static final String[] SEARCH_WORDS = {"lamp", "chair", "mug", "kettle", "rug", "desk", "shelf", "vase"};

  /**
   * Picks the kind of a phase's {@code index}-th request. Searches are placed, not drawn: 2 in every 40
   * requests, one on an even and one on an odd index (the driver alternates instances by index), so every
   * phase, however short, has its 5 % and each instance its half (drawn at random, a 120-request phase had
   * no search at all about once in 500 runs). The other kinds are drawn in the mix's proportions.
   */
  Kind nextKind(long index, RandomGenerator random) {
    long slot = index % 40;
    if (slot == 10 || slot == 31) {
      return Kind.SEARCH;
    }
    double r = random.nextDouble() * 0.95; // the 95 % that are not searches
    if (r < 0.73) {
      return Kind.PRODUCT;
    }
    if (r < 0.83) {
      return Kind.RECOMMENDATIONS;
    }
    if (r < 0.905) {
      return Kind.CART;
    }
    if (r < 0.91) {
      return Kind.PRICE;
    }
    return Kind.CHECKOUT;
  }

  /**
   * Runs one request of {@code kind} against {@code storefront}.
   *
   * @param orderId the order id a checkout uses (unique in the run)
   * @return {@link Outcome#OK}, or {@link Outcome#DEGRADED} for a fallback the customer sees (no
   *     recommendations, a pending receipt, a pending price change); a cart line deferred in read-only mode looks the same to the
   *     customer as one saved, so it is OK; failures are thrown
   */
  Outcome execute(Kind kind, Storefront storefront, String orderId) {
    RandomGenerator random = ThreadLocalRandom.current();
    String sku = "sku-" + POPULARITY.next(random);
    String user = "user-" + random.nextInt(USERS);
    switch (kind) {
      case PRODUCT -> storefront.product(sku);
      case SEARCH -> storefront.search(SEARCH_WORDS[random.nextInt(SEARCH_WORDS.length)] + " " + random.nextInt(100));
      case RECOMMENDATIONS -> {
        return storefront.recommendations(user).fallback() ? Outcome.DEGRADED : Outcome.OK;
      }
      case CART -> storefront.addToCart(user, sku, 1 + random.nextInt(3));
      case PRICE -> {
        return storefront.updatePrice(sku, 499 + random.nextInt(20_000)).pending() ? Outcome.DEGRADED : Outcome.OK;
      }
      case CHECKOUT -> {
        return storefront.checkout(user, orderId, 1_000 + random.nextInt(50_000)).pending()
            ? Outcome.DEGRADED : Outcome.OK;
      }
      default -> throw new IllegalStateException("unknown kind " + kind);
    }
    return Outcome.OK;
  }
}
