package dev.ballast.examples;

/**
 * A price change's answer, for the merchandiser who made it.
 *
 * @param sku the product
 * @param priceCents the new price
 * @param pending whether it was accepted in read-only mode: stored (and the product evicted from every
 *     instance's cache) only once the database is back, by a {@code price-change} job; until then the
 *     storefront shows the old price. False when it was stored before this answer.
 */
public record PriceChange(String sku, long priceCents, boolean pending) {}
