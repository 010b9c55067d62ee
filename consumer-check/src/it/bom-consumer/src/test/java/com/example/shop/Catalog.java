package com.example.shop;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.annotation.Degradable;
import dev.ballast.core.annotation.Retry;

/** An annotated interface as the README's: a cached record (stored as JSON) and a retried call with a fallback. */
public interface Catalog {
  /** A product; a record, so the cache stores it as JSON through Jackson. */
  record Product(String sku, long cents) {}

  @Cached("products")
  Product product(String sku);

  @Fallback("unavailable") @Retry("external-api")
  String stock(String sku) throws Exception;

  String unavailable(String sku, Exception failure);
}
