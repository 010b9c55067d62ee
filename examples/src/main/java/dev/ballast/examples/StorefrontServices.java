package dev.ballast.examples;

import dev.ballast.cache.CacheSpec;
import dev.ballast.core.Registry;
import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.JobQueue;

/**
 * The storefront's services, unwrapped, for an application that wires them itself: the Spring Boot example
 * ({@code examples-spring}) declares each as a bean and lets the Ballast starter apply the annotations of
 * {@link Database}, {@link Payments} and {@link Storefront}, where {@link Instance} calls
 * {@code Wrapper.wrap}. The registry must hold what {@code storefront.yaml} configures: the queues
 * {@code orders} and {@code writes}, the cache {@code products} and the switchboard.
 */
public final class StorefrontServices {

  private StorefrontServices() {}

  /** The simulated database: six connections, a 500 ms pool timeout. */
  public static Database database() {
    return SimulatedDatabase.standard();
  }

  /** The simulated payment provider, with its 40/s quota. */
  public static Payments payments() {
    return new PaymentProvider();
  }

  /**
   * The storefront over {@code database} and {@code payments} (pass the wrapped ones: the deferred writes go
   * through the database's breaker too); registers its job handlers on the queues {@code orders} and
   * {@code writes}, which start running jobs at once.
   *
   * @param registry where the queues, the cache spec and the switchboard are
   * @return the storefront, unwrapped
   */
  public static Storefront storefront(Database database, Payments payments, Registry registry) {
    JobLedger ledger = new JobLedger();
    OrderJobs confirmations = new QueuedOrderJobs(registry.get("orders", JobQueue.class), 2, ledger,
        MailSender.flaky());
    CacheSpec products = registry.get("products", CacheSpec.class);
    DeferredWrites deferred = new QueuedWrites(registry.get("writes", JobQueue.class), 2,
        registry.get("switchboard", Switchboard.class), database, confirmations,
        sku -> products.cache(null, "deferred price changes", registry).invalidate(sku), ledger);
    return new StorefrontImpl(database, payments, confirmations, deferred);
  }
}
