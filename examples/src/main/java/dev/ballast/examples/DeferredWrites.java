package dev.ballast.examples;

/**
 * Where the storefront's fallbacks put the writes that read-only mode refused, to be applied once the
 * database is back (write-behind). With Ballast: {@link QueuedWrites}, on the job queue {@code writes}.
 * Without Ballast nothing calls the fallbacks (there is no proxy), so {@link #NONE} refuses.
 */
interface DeferredWrites {

  /** For the run without Ballast: nothing calls it; a call would be a wiring mistake. */
  DeferredWrites NONE = new DeferredWrites() {
    @Override
    public void deferCartLine(String user, String sku, int quantity) {
      throw new IllegalStateException("no write-behind queue without Ballast");
    }

    @Override
    public void deferOrder(String orderId, String user, long amountCents) {
      throw new IllegalStateException("no write-behind queue without Ballast");
    }

    @Override
    public void deferPriceChange(String sku, long priceCents, long asOfMillis) {
      throw new IllegalStateException("no write-behind queue without Ballast");
    }
  };

  /** Queues a cart line to be saved later; returns once it is stored. */
  void deferCartLine(String user, String sku, int quantity);

  /** Queues a paid order to be saved (and its confirmation queued) later; returns once it is stored. */
  void deferOrder(String orderId, String user, long amountCents);

  /**
   * Queues a price change, asked for at {@code asOfMillis}, to be stored later (and the product evicted
   * from the cache then); returns once it is stored.
   */
  void deferPriceChange(String sku, long priceCents, long asOfMillis);
}
