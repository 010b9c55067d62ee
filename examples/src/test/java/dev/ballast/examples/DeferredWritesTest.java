package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.degradation.ReadOnlyModeException;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Write-behind through the real wiring, without Redis: the storefront wrapped with {@code Wrapper.wrap}
 * over the demo's configuration (a local switchboard set read-only by hand, the queue {@code writes} in
 * memory, its handlers from {@link QueuedWrites}). Only a read-only refusal is deferred; other failures
 * reach the caller; a deferred write is applied once writes are allowed again.
 */
class DeferredWritesTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private ConfigFiles files;
  private Registry registry;
  private Backends backends;
  private Switchboard board;
  private JobQueue writes;
  private final List<String> confirmations = new CopyOnWriteArrayList<>();
  private Storefront storefront;

  @BeforeEach
  void wire() {
    files = ConfigFiles.unpack();
    registry = Configuration.load(files.instance("a")).buildRegistry(ConfigContext.defaults());
    backends = Backends.fresh();
    board = registry.get("switchboard", Switchboard.class);
    writes = registry.get("writes", JobQueue.class);
    Database database = Wrapper.wrap(Database.class, backends.database(), registry);
    Payments payments = Wrapper.wrap(Payments.class, backends.payments(), registry);
    OrderJobs confirm = confirmations::add;
    DeferredWrites deferred = new QueuedWrites(writes, 1, board, database, confirm, backends.ledger());
    storefront = Wrapper.wrap(Storefront.class, new StorefrontImpl(database, payments, confirm, deferred), registry);
  }

  @AfterEach
  void close() throws Exception {
    registry.close();
    files.close();
  }

  @Test
  void aCartLineRefusedInReadOnlyModeIsDeferredAndAppliedOnceWritesAreAllowedAgain() {
    board.set(SwitchName.READ_ONLY, true, "test", "database failover");
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
  void anotherFailureOfACartWriteReachesTheCallerAndIsNotDeferred() {
    backends.database().outage(true); // writes are allowed, the database refuses them
    assertThatThrownBy(() -> storefront.addToCart("user-1", "sku-7", 2))
        .isInstanceOf(DatabaseException.class)
        .hasMessageContaining("connection refused");
    assertThat(backends.ledger().deferredCount()).isZero();
    assertThat(writes.stats().pending()).isZero();
    assertThat(backends.database().calls(SimulatedDatabase.Query.CART)).isEqualTo(1);
  }

  @Test
  void aCheckoutInReadOnlyModeIsPaidNowAndStoredWithItsConfirmationLater() {
    board.set(SwitchName.READ_ONLY, true, "test", "database failover");
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
  void aPriceChangeIsStillRefusedInReadOnlyMode() {
    board.set(SwitchName.READ_ONLY, true, "test", "database failover");
    assertThatThrownBy(() -> storefront.updatePrice("sku-7", 999)).isInstanceOf(ReadOnlyModeException.class);
    assertThat(backends.ledger().deferredCount()).isZero();
    assertThat(backends.database().calls(SimulatedDatabase.Query.PRICE)).isZero();
  }
}
