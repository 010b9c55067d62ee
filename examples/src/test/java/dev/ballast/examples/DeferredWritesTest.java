package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.cache.CacheSpec;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Reason;
import dev.ballast.queue.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Write-behind through the real wiring, without Redis: the storefront wrapped with {@code Wrapper.wrap}
 * over the demo's configuration (a local switchboard set read-only by hand, the queue {@code writes} in
 * memory, its handlers from {@link QueuedWrites}, the cache {@code products} in process only). A write
 * refused before it ran (read-only mode, a refused connection) is deferred, a paid order without charging
 * again; a failure that may have written reaches the caller; a deferred write is applied once writes are
 * allowed again; a deferred price change leaves the cached product alone until it is applied.
 */
class DeferredWritesTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private ConfigFiles files;
  private Registry registry;
  private Backends backends;
  private Switchboard board;
  private JobQueue writes;
  private final List<String> confirmations = new CopyOnWriteArrayList<>();
  private final AtomicInteger charges = new AtomicInteger();
  private StorefrontImpl impl;
  private Storefront storefront;

  @BeforeEach
  void wire() {
    files = ConfigFiles.unpack();
    registry = Configuration.load(files.instance("a")).buildRegistry(ConfigContext.defaults());
    backends = Backends.fresh();
    board = registry.get("switchboard", Switchboard.class);
    writes = registry.get("writes", JobQueue.class);
    Database database = Wrapper.wrap(Database.class, backends.database(), registry);
    Payments provider = Wrapper.wrap(Payments.class, backends.payments(), registry);
    Payments payments = (orderId, amountCents) -> {
      charges.incrementAndGet();
      return provider.charge(orderId, amountCents);
    };
    OrderJobs confirm = confirmations::add;
    CacheSpec products = registry.get("products", CacheSpec.class);
    DeferredWrites deferred = new QueuedWrites(writes, 1, board, database, confirm,
        sku -> products.cache(null, "test", registry).invalidate(sku), backends.ledger()); // as Instance does
    impl = new StorefrontImpl(database, payments, confirm, deferred);
    storefront = Wrapper.wrap(Storefront.class, impl, registry);
  }

  @AfterEach
  void close() throws Exception {
    registry.close();
    files.close();
  }

  @Test
  void aCartLineRefusedInReadOnlyModeIsDeferredAndAppliedOnceWritesAreAllowedAgain() {
    board.degrade(SwitchName.READ_ONLY, new Reason("test", "database failover"));
    storefront.addToCart("user-1", "sku-7", 2); // accepted: no exception
    JobLedger ledger = backends.ledger();
    assertThat(ledger.deferredCount()).isEqualTo(1);
    // Its attempts are refused while the fleet is read-only, before any query.
    await().atMost(PATIENCE).until(() -> ledger.failedWriteAttempts() >= 1);
    assertThat(backends.database().calls(SimulatedDatabase.Query.CART)).isZero();
    assertThat(ledger.appliedCount()).isZero();

    board.release(SwitchName.READ_ONLY, "test");
    await().atMost(PATIENCE).until(() -> writes.stats().pending() == 0);
    assertThat(ledger.appliedCount()).isEqualTo(1);
    assertThat(backends.database().answered(SimulatedDatabase.Query.CART)).isEqualTo(1);
    assertThat(writes.stats().dead()).isZero();
  }

  @Test
  void aCartLineTheDatabaseRefusedWithoutRunningItIsDeferredAndAppliedOnceItIsBack() {
    backends.database().outage(true); // writes are allowed, the database refuses the connection
    storefront.addToCart("user-1", "sku-7", 2); // accepted: no exception
    JobLedger ledger = backends.ledger();
    assertThat(ledger.deferredCount()).isEqualTo(1);
    assertThat(backends.database().answered(SimulatedDatabase.Query.CART)).isZero();

    backends.database().outage(false);
    await().atMost(PATIENCE).until(() -> writes.stats().pending() == 0);
    assertThat(ledger.appliedCount()).isEqualTo(1);
    assertThat(backends.database().answered(SimulatedDatabase.Query.CART)).isEqualTo(1);
    assertThat(writes.stats().dead()).isZero();
  }

  @Test
  void aCheckoutPaidWhileTheDatabaseRefusesTheOrderIsStoredLaterAndChargedOnce() {
    backends.database().outage(true);
    Receipt receipt = storefront.checkout("user-1", "order-3", 4_200);
    assertThat(receipt).isEqualTo(new Receipt("order-3", "pay-order-3", true));
    assertThat(charges).hasValue(1);
    assertThat(backends.ledger().deferredCount()).isEqualTo(1);
    assertThat(confirmations).isEmpty();

    backends.database().outage(false);
    await().atMost(PATIENCE).until(() -> backends.ledger().appliedCount() == 1);
    assertThat(backends.database().answered(SimulatedDatabase.Query.ORDER)).isEqualTo(1);
    assertThat(confirmations).containsExactly("order-3");
    assertThat(charges).hasValue(1);
  }

  @Test
  void aWriteThatMayHaveRunIsNotDeferredAndReachesTheCaller() {
    DatabaseException midQuery = new DatabaseException("interrupted during a query", false);
    assertThat(DeferredWrites.mayDefer(midQuery)).isFalse();
    assertThat(DeferredWrites.mayDefer(new IllegalStateException("payment call interrupted"))).isFalse();
    assertThat(DeferredWrites.mayDefer(new DatabaseException("database unavailable: connection refused", true)))
        .isTrue();
    // The fallbacks, as the proxy calls them after such a failure: each throws it again, defers nothing,
    // and the checkout's charges nothing.
    assertThatThrownBy(() -> impl.deferAddToCart("user-1", "sku-7", 2, midQuery)).isSameAs(midQuery);
    assertThatThrownBy(() -> impl.deferPriceChange("sku-7", 100, midQuery)).isSameAs(midQuery);
    assertThatThrownBy(() -> impl.deferCheckout("user-1", "order-4", 4_200, midQuery)).isSameAs(midQuery);
    assertThat(charges).hasValue(0);
    assertThat(backends.ledger().deferredCount()).isZero();
    assertThat(writes.stats().pending()).isZero();
  }

  @Test
  void aCheckoutInReadOnlyModeIsPaidNowAndStoredWithItsConfirmationLater() {
    board.degrade(SwitchName.READ_ONLY, new Reason("test", "database failover"));
    Receipt receipt = storefront.checkout("user-1", "order-1", 4_200);
    assertThat(receipt).isEqualTo(new Receipt("order-1", "pay-order-1", true));
    storefront.checkout("user-1", "order-1", 4_200); // the client retries: the same job (idempotency key)
    assertThat(backends.ledger().deferredCount()).isEqualTo(1);
    assertThat(backends.database().calls(SimulatedDatabase.Query.ORDER)).isZero();
    assertThat(confirmations).isEmpty();

    board.release(SwitchName.READ_ONLY, "test");
    await().atMost(PATIENCE).until(() -> backends.ledger().appliedCount() == 1);
    assertThat(backends.database().answered(SimulatedDatabase.Query.ORDER)).isEqualTo(1);
    assertThat(confirmations).containsExactly("order-1");
  }

  @Test
  void aCheckoutWithWritesAllowedIsStoredAtOnceAndNotPending() {
    Receipt receipt = storefront.checkout("user-1", "order-2", 4_200);
    assertThat(receipt.pending()).isFalse();
    assertThat(backends.database().answered(SimulatedDatabase.Query.ORDER)).isEqualTo(1);
    assertThat(confirmations).containsExactly("order-2");
    assertThat(backends.ledger().deferredCount()).isZero();
  }

  @Test
  void aPriceChangeInReadOnlyModeIsDeferredTheCacheServesTheOldPriceUntilItIsApplied() {
    long before = storefront.product("sku-7").priceCents(); // cached
    board.degrade(SwitchName.READ_ONLY, new Reason("test", "database down"));
    board.degrade(SwitchName.SERVE_CACHED, new Reason("test", "database down"));

    PriceChange change = storefront.updatePrice("sku-7", before + 100); // accepted: no exception
    assertThat(change.pending()).isTrue();
    assertThat(backends.ledger().deferredCount()).isEqualTo(1);
    assertThat(backends.database().calls(SimulatedDatabase.Query.PRICE)).isZero();
    // Not evicted when deferred: the product is still served (stale-if-error's job) while the origin is spared.
    assertThat(storefront.product("sku-7").priceCents()).isEqualTo(before);
    await().atMost(PATIENCE).until(() -> backends.ledger().failedWriteAttempts() >= 1); // refused while read-only
    assertThat(storefront.product("sku-7").priceCents()).isEqualTo(before);

    board.release(SwitchName.READ_ONLY, "test");
    board.release(SwitchName.SERVE_CACHED, "test");
    await().atMost(PATIENCE).until(() -> backends.ledger().appliedCount() == 1);
    assertThat(backends.database().priceOf("sku-7")).isEqualTo(before + 100);
    // Applied, then evicted: the next read loads the new price (an L1-only entry would live 15 minutes).
    assertThat(storefront.product("sku-7").priceCents()).isEqualTo(before + 100);
    assertThat(writes.stats().dead()).isZero();
  }

  @Test
  void aPriceChangeWithWritesAllowedIsStoredAtOnceAndEvictsTheProduct() {
    long before = storefront.product("sku-8").priceCents();
    PriceChange change = storefront.updatePrice("sku-8", before + 1);
    assertThat(change.pending()).isFalse();
    assertThat(storefront.product("sku-8").priceCents()).isEqualTo(before + 1);
    assertThat(backends.ledger().deferredCount()).isZero();
  }

  @Test
  void aDeferredPriceChangeAppliedLateDoesNotUndoALaterOne() {
    SimulatedDatabase database = backends.database();
    database.updatePrice("sku-9", 2_000, 1_000_000L); // asked for later, stored first
    database.updatePrice("sku-9", 1_000, 999_000L);   // the deferred one, asked for earlier, lands now
    assertThat(database.priceOf("sku-9")).isEqualTo(2_000);
    database.updatePrice("sku-9", 3_000, 1_000_000L); // the same time: the one stored last wins
    assertThat(database.priceOf("sku-9")).isEqualTo(3_000);
  }
}
