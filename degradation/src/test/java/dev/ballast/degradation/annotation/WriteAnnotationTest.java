package dev.ballast.degradation.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.core.annotation.Retry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.degradation.Mode;
import dev.ballast.degradation.ReadOnlyModeException;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Reason;
import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteAnnotationTest {

  public interface Orders {
    @Write
    String place(String order);

    @Write("set-stock")
    CompletionStage<String> setStockAsync(String sku);

    @Write(idempotent = true)
    @Retry("inventory")
    @RateLimited("inventory")
    String setStock(String sku);

    String read(String order);
  }

  static class Db implements Orders {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String place(String order) {
      calls.incrementAndGet();
      return "placed " + order;
    }

    @Override
    public CompletionStage<String> setStockAsync(String sku) {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture("set " + sku);
    }

    @Override
    public String setStock(String sku) {
      calls.incrementAndGet();
      return "set " + sku;
    }

    @Override
    public String read(String order) {
      calls.incrementAndGet();
      return "read " + order;
    }
  }

  private final ManualTicker now = new ManualTicker(1_000_000_000L);
  private final AtomicInteger retryConsulted = new AtomicInteger();
  private final Switchboard board = Switchboard.builder().name("shop").manualSchedule()
      .mode(Mode.degrading("maintenance", SwitchName.READ_ONLY)).build();
  private final RateLimiter limiter = RateLimiter.builder().name("inventory").capacity(1)
      .refill(1, Duration.ofHours(1)).ticker(now::read).build();
  private final Registry registry = Registry.builder()
      .add("switchboard", board)
      .add("inventory", dev.ballast.core.Retry.builder().name("inventory").maxAttempts(3)
          .retryOn(e -> retryConsulted.incrementAndGet() > 0).build())
      .add("inventory", limiter)
      .add("once", dev.ballast.core.Retry.builder().name("once").maxAttempts(1).build())
      .build();
  private final Db db = new Db();
  private final Orders orders = Wrapper.wrap(Orders.class, db, registry);

  @AfterEach
  void close() {
    board.close();
  }

  @Test
  void writesPassWhileReadOnlyIsOff() throws Exception {
    assertThat(orders.place("o-1")).isEqualTo("placed o-1");
    assertThat(orders.setStockAsync("s-1").toCompletableFuture().get()).isEqualTo("set s-1");
    assertThat(db.calls).hasValue(2);
  }

  @Test
  void inReadOnlyModeAWriteIsRefusedBeforeItReachesTheTarget() {
    board.degrade(SwitchName.READ_ONLY, new Reason("alice", "database failover"));

    assertThatThrownBy(() -> orders.place("o-1")).isInstanceOf(ReadOnlyModeException.class)
        .hasMessageStartingWith("write 'Orders.place' refused: read-only mode is on in switchboard 'shop'")
        .hasMessageEndingWith("set by alice (manual): database failover");
    assertThat(orders.read("o-1")).isEqualTo("read o-1"); // reads go on
    assertThat(db.calls).hasValue(1);
  }

  @Test
  void aModeThatIncludesReadOnlyRefusesWritesToo() {
    board.enterMode("maintenance", new Reason("bob", "schema migration"));
    assertThatThrownBy(() -> orders.place("o-1")).isInstanceOf(ReadOnlyModeException.class)
        .hasMessageContaining("set by bob (mode): schema migration");
    board.leaveMode("maintenance", "bob");
    assertThat(orders.place("o-1")).isEqualTo("placed o-1");
    assertThat(db.calls).hasValue(1);
  }

  @Test
  void anAsyncWriteGetsAFailedStageNamedAsTheAnnotationSays() {
    board.degrade(SwitchName.READ_ONLY, new Reason("alice", "failover"));

    CompletionStage<String> stage = orders.setStockAsync("s-1"); // does not throw
    assertThatThrownBy(() -> stage.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(ReadOnlyModeException.class).hasMessageStartingWith("write 'set-stock' refused");
    assertThat(((ReadOnlyModeException) dev.ballast.core.internal.Futures.unwrap(stage.toCompletableFuture().handle((v, e) -> e).join()))
        .operation()).isEqualTo("set-stock");
    assertThat(db.calls).hasValue(0);
  }

  @Test
  void aRefusedWriteSpendsNoRateLimitPermitAndNoRetryAttempt() {
    board.degrade(SwitchName.READ_ONLY, new Reason("alice", "failover"));

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> orders.setStock("s-1")).isInstanceOf(ReadOnlyModeException.class);
    }
    assertThat(retryConsulted).as("the retry never saw the refusal").hasValue(0);
    assertThat(db.calls).hasValue(0);

    board.release(SwitchName.READ_ONLY, "alice");
    assertThat(orders.setStock("s-1")).as("the only permit is still there").isEqualTo("set s-1");
    assertThat(limiter.tryAcquire(1)).as("and now it is spent").isFalse();
  }

  public interface RetriedWrite {
    @Write
    @Retry("inventory")
    String place(String order);
  }

  @Test
  void aNonIdempotentWriteWithARetryThatRepeatsFailsAtWrap() {
    assertThatThrownBy(() -> Wrapper.wrap(RetriedWrite.class, order -> "placed", registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("@Write on RetriedWrite.place: retrying a non-idempotent write may apply it twice "
            + "(@Retry(\"inventory\") makes up to 3 attempts); mark it @Write(idempotent = true) if it is safe");
  }

  public interface IdempotentRetriedWrite {
    @Write(idempotent = true)
    @Retry("inventory")
    String put(String value);
  }

  public interface WriteWithASingleAttemptRetry {
    @Write
    @Retry("once")
    String place(String order);
  }

  @Test
  void anIdempotentWriteOrARetryOfOneAttemptMayBeCombined() {
    assertThatCode(() -> Wrapper.wrap(IdempotentRetriedWrite.class, value -> value, registry))
        .doesNotThrowAnyException();
    WriteWithASingleAttemptRetry once = Wrapper.wrap(WriteWithASingleAttemptRetry.class, order -> "placed " + order,
        registry);
    assertThat(once.place("o-1")).isEqualTo("placed o-1");
  }

  public interface UnknownRetry {
    @Write
    @Retry("nope")
    String place(String order);
  }

  @Test
  void anUnknownRetryIsReportedByTheRetryHandler() {
    assertThatThrownBy(() -> Wrapper.wrap(UnknownRetry.class, order -> "placed", registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("@Retry on UnknownRetry.place: No Retry named 'nope'");
  }

  @Test
  void noSwitchboardInTheRegistryFailsAtWrap() {
    assertThatThrownBy(() -> Wrapper.wrap(Orders.class, db, Registry.builder().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("@Write on Orders.")
        .hasMessageContaining("No Switchboard named 'switchboard' in the registry");
  }

  @Test
  void theCheckAllocatesNothingWhileWritesAreAllowed() throws Exception {
    java.lang.reflect.Method method = Orders.class.getMethod("place", String.class);
    dev.ballast.core.annotation.spi.MethodInterceptor guard = new WriteHandler().interceptorFor(method, registry);
    FeatureAnnotationTest.FixedInvocation invocation = new FeatureAnnotationTest.FixedInvocation(method);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    int answered = 0;
    for (int round = 0; round < 2; round++) { // the first round warms up, the second is measured
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 200_000; i++) {
        answered += guard.invoke(invocation) == FeatureAnnotationTest.FixedInvocation.RESULT ? 1 : 0;
      }
      long allocated = threads.getThreadAllocatedBytes(id) - before;
      if (round == 1) {
        assertThat(allocated).as("bytes allocated by 200,000 checks").isLessThan(1_024);
      }
    }
    assertThat(answered).isEqualTo(400_000);
  }
}
