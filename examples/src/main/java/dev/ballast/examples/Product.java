package dev.ballast.examples;

/**
 * A product of the storefront's catalog, as the database returns it and the cache stores it (as JSON).
 *
 * @param sku the stock-keeping unit, e.g. {@code sku-42}
 * @param name the display name
 * @param priceCents the price in cents
 */
public record Product(String sku, String name, long priceCents) {}
