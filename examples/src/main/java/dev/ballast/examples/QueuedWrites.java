package dev.ballast.examples;

import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.Job;
import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobOptions;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.queue.Workers;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Write-behind on the job queue {@code writes}: what the storefront's fallbacks do with a cart line, an
 * order or a price change that read-only mode refused. Each becomes a job in Redis, shared by the fleet, and every instance's
 * workers apply it through the wrapped {@link Database}. An attempt fails at once, without a query, while
 * the switchboard is still read-only (an operator may have set it for a reason of their own: a deferred
 * write honours it like any write) or while the database breaker is not closed; the job is retried after
 * its backoff ({@code storefront.yaml} tunes the queue to outlast the outage), and the first attempt after
 * the fleet stepped back applies it.
 *
 * <p>A price change is stored with the time it was asked for, so it never undoes a later one, and only then
 * evicts the product from every instance's cache: until it is applied, the cache goes on serving the old
 * price (through the outage too, when it is the only thing left to serve).
 *
 * <p>What write-behind costs: a deferred write lands after writes made later directly (harmless for cart
 * lines, each its own row; a "set" needs a version, as prices carry their time); delivery is at least once, so the
 * handlers must be idempotent (a real database stores an order under its id; an {@code INSERT} of a cart
 * line would carry the job id). Payloads are tab-separated UTF-8 text, never Java serialization.
 */
final class QueuedWrites implements DeferredWrites {

  /** A deferred cart line. */
  record CartLine(String user, String sku, int quantity) {}

  /** A paid order not yet stored. */
  record PendingOrder(String orderId, String user, long amountCents) {}

  /** Payload: UTF-8 {@code user\tsku\tquantity}. */
  static final JobType<CartLine> CART_LINE = JobType.of("cart-line", tabSeparated(3,
      line -> new String[] {line.user(), line.sku(), Integer.toString(line.quantity())},
      fields -> new CartLine(fields[0], fields[1], Integer.parseInt(fields[2]))));

  /** Payload: UTF-8 {@code orderId\tuser\tamountCents}. */
  static final JobType<PendingOrder> PLACE_ORDER = JobType.of("place-order", tabSeparated(3,
      order -> new String[] {order.orderId(), order.user(), Long.toString(order.amountCents())},
      fields -> new PendingOrder(fields[0], fields[1], Long.parseLong(fields[2]))));

  /** A deferred price change. */
  record PendingPrice(String sku, long priceCents, long asOfMillis) {}

  /** Payload: UTF-8 {@code sku\tpriceCents\tasOfMillis}. */
  static final JobType<PendingPrice> PRICE_CHANGE = JobType.of("price-change", tabSeparated(3,
      change -> new String[] {change.sku(), Long.toString(change.priceCents()), Long.toString(change.asOfMillis())},
      fields -> new PendingPrice(fields[0], Long.parseLong(fields[1]), Long.parseLong(fields[2]))));

  private final JobQueue queue;
  private final Switchboard switchboard;
  private final JobLedger ledger;

  /**
   * Registers {@code workers} handlers per job type on {@code queue}.
   *
   * @param switchboard whose read-only mode holds the jobs back
   * @param database the wrapped database (through its breaker)
   * @param confirmations where a stored order's confirmation e-mail goes
   * @param productChanged evicts a product whose price was stored from every instance's cache (may throw:
   *     the job is then retried, and storing the price again is harmless)
   */
  QueuedWrites(JobQueue queue, int workers, Switchboard switchboard, Database database, OrderJobs confirmations,
      Consumer<String> productChanged, JobLedger ledger) {
    this.queue = queue;
    this.switchboard = switchboard;
    this.ledger = ledger;
    queue.register(CART_LINE, Workers.of(workers), job -> apply(job,
        () -> database.saveCartLine(job.payload().user(), job.payload().sku(), job.payload().quantity())));
    queue.register(PLACE_ORDER, Workers.of(workers), job -> apply(job, () -> {
      PendingOrder order = job.payload();
      database.saveOrder(order.orderId(), order.user(), order.amountCents());
      confirmations.enqueue(order.orderId()); // idempotent by order id, should this attempt run twice
    }));
    queue.register(PRICE_CHANGE, Workers.of(workers), job -> apply(job, () -> {
      PendingPrice change = job.payload();
      database.updatePrice(change.sku(), change.priceCents(), change.asOfMillis());
      productChanged.accept(change.sku()); // as @CacheEvict does after a direct change
    }));
  }

  @Override
  public void deferCartLine(String user, String sku, int quantity) {
    ledger.deferred(queue.enqueue(CART_LINE, new CartLine(user, sku, quantity)));
  }

  @Override
  public void deferOrder(String orderId, String user, long amountCents) {
    // A client that retries its checkout gets the same job back (the ledger counts it once).
    ledger.deferred(queue.enqueue(PLACE_ORDER, new PendingOrder(orderId, user, amountCents),
        JobOptions.builder().idempotencyKey(orderId).build()));
  }

  @Override
  public void deferPriceChange(String sku, long priceCents, long asOfMillis) {
    ledger.deferred(queue.enqueue(PRICE_CHANGE, new PendingPrice(sku, priceCents, asOfMillis)));
  }

  private void apply(Job<?> job, Runnable write) {
    try {
      switchboard.guardWrite("deferred " + job.type().name()); // still read-only: not yet
      write.run();
    } catch (RuntimeException e) {
      ledger.failedWriteAttempt(); // the queue retries it after its backoff, or dead-letters it
      throw e;
    }
    ledger.applied(job.id());
  }

  /**
   * A codec of {@code count} fields joined by tabs, as strict UTF-8. A field holding a tab or a line break
   * cannot be encoded (the enqueue fails); bytes with another number of fields, or a field its parser
   * refuses, fail to decode, and the queue dead-letters the job with that reason.
   */
  static <T> JobCodec<T> tabSeparated(int count, Function<T, String[]> fields, Function<String[], T> parse) {
    JobCodec<String> text = JobCodec.utf8();
    return JobCodec.of(payload -> {
      String[] values = fields.apply(payload);
      for (String value : values) {
        if (value.indexOf('\t') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
          throw new IllegalArgumentException("payload field must not contain a tab or line break: '" + value + "'");
        }
      }
      return text.encode(String.join("\t", values));
    }, bytes -> {
      String[] values = text.decode(bytes).split("\t", -1);
      if (values.length != count) {
        throw new IllegalArgumentException("payload must have " + count + " tab-separated fields, had "
            + values.length);
      }
      return parse.apply(values);
    });
  }
}
