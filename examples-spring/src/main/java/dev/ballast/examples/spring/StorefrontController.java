package dev.ballast.examples.spring;

import dev.ballast.examples.Product;
import dev.ballast.examples.Receipt;
import dev.ballast.examples.Recommendations;
import dev.ballast.examples.Storefront;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The storefront over HTTP: each route calls the {@link Storefront} bean, which carries Ballast's policies (the
 * cache, the feature switch and its fallback, the write guard and its write-behind, payments' limit, retry,
 * breaker and timeout). The controller itself knows nothing of Ballast.
 */
@RestController
public class StorefrontController {

  private final Storefront storefront;

  /**
   * A controller over the storefront bean.
   *
   * @param storefront the wrapped storefront
   */
  public StorefrontController(Storefront storefront) {
    this.storefront = storefront;
  }

  /**
   * {@code GET /products/<sku>}: the product page, through the two-level cache.
   *
   * @param sku the product
   * @return the product
   */
  @GetMapping("/products/{sku}")
  public Product product(@PathVariable("sku") String sku) {
    return storefront.product(sku);
  }

  /**
   * {@code GET /recommendations/<user>}: empty with {@code fallback: true} while the feature is off.
   *
   * @param user whose box
   * @return the recommendations
   */
  @GetMapping("/recommendations/{user}")
  public Recommendations recommendations(@PathVariable("user") String user) {
    return storefront.recommendations(user);
  }

  /**
   * {@code POST /cart?user=..&sku=..&quantity=..}: in read-only mode the line is queued instead (write-behind).
   *
   * @param user whose cart
   * @param sku the product
   * @param quantity how many
   */
  @PostMapping("/cart")
  public void addToCart(@RequestParam("user") String user, @RequestParam("sku") String sku,
      @RequestParam("quantity") int quantity) {
    storefront.addToCart(user, sku, quantity);
  }

  /**
   * {@code POST /checkout?user=..&orderId=..&amountCents=..}: pays the order.
   *
   * @param user who pays
   * @param orderId the order
   * @param amountCents how much
   * @return the receipt
   */
  @PostMapping("/checkout")
  public Receipt checkout(@RequestParam("user") String user, @RequestParam("orderId") String orderId,
      @RequestParam("amountCents") long amountCents) {
    return storefront.checkout(user, orderId, amountCents);
  }
}
