package dev.ballast.examples;

import java.util.List;

/**
 * Products recommended to a user.
 *
 * @param products the recommended products (empty when {@code fallback})
 * @param fallback true when the feature was off or failed and the page shows none
 */
public record Recommendations(List<Product> products, boolean fallback) {

  /** Copies the list. */
  public Recommendations {
    products = List.copyOf(products);
  }

  /** What the page shows when recommendations are switched off or failed: nothing, quickly. */
  public static Recommendations none() {
    return new Recommendations(List.of(), true);
  }
}
