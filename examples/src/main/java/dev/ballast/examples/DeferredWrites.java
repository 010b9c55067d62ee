package dev.ballast.examples;

import dev.ballast.core.CallRejectedException;

/**
 * Where the storefront's fallbacks put the writes that were refused without running (read-only mode, an
 * open database breaker, a refused connection), to be applied once the database is back (write-behind).
 * With Ballast: {@link QueuedWrites}, on the job queue {@code writes}. Without Ballast nothing calls the
 * fallbacks (there is no proxy), so {@link #NONE} refuses.
 */
interface DeferredWrites {

  /**
   * Whether a write that failed so may be deferred: it was refused before anything ran. That is a
   * Ballast refusal ({@link CallRejectedException}: read-only mode, the database breaker open) or a
   * database failure that had no connection ({@link DatabaseException#ranNothing()}). A failure that may
   * have written (a query interrupted midway) is not: applying it again later could write it twice.
   */
  static boolean mayDefer(RuntimeException failure) {
    return failure instanceof CallRejectedException
        || failure instanceof DatabaseException database && database.ranNothing();
  }

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
