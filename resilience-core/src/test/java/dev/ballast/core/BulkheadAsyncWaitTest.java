package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An asynchronous call that finds the bulkhead full waits up to {@code maxWait} without holding a thread:
 * its stage is queued and runs once a slot is handed to it, or fails with {@code wait-timeout}; cancelling
 * it while it waits takes it out of the queue.
 */
class BulkheadAsyncWaitTest {

  @Test
  void anAsyncCallWaitsForAFreeSlotWithoutHoldingTheCallersThread() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder().name("wait").maxConcurrentCalls(1).maxWait(Duration.ofMinutes(5)).build();
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    CountDownLatch secondStarted = new CountDownLatch(1);
    AtomicReference<Thread> startedOn = new AtomicReference<>();
    CompletionStage<String> holder = bulkhead.callAsync(() -> first);

    CompletionStage<String> waiter = bulkhead.callAsync(() -> {
      startedOn.set(Thread.currentThread());
      secondStarted.countDown();
      return second;
    });
    // callAsync returned on this thread with the call still waiting: no thread blocks for it.
    assertThat(waiter.toCompletableFuture()).isNotDone();
    assertThat(secondStarted.getCount()).as("not started while the slot is held").isEqualTo(1);
    assertThat(bulkhead.inFlight()).isEqualTo(1);

    first.complete("first");
    assertThat(holder.toCompletableFuture()).isCompletedWithValue("first");
    assertThat(secondStarted.await(30, TimeUnit.SECONDS)).as("started once the slot was handed over").isTrue();
    assertThat(startedOn.get()).isNotSameAs(Thread.currentThread());
    assertThat(bulkhead.inFlight()).isEqualTo(1);
    second.complete("second");
    assertThat(waiter.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo("second");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void anAsyncWaitThatRunsOutIsRefusedAsAWaitTimeoutAndNeverRuns() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Bulkhead bulkhead = Bulkhead.builder().name("short").maxConcurrentCalls(1).maxWait(Duration.ofMillis(20))
        .meterRegistry(registry).build();
    assertThat(bulkhead.tryAcquire()).isTrue();
    AtomicInteger ran = new AtomicInteger();

    CompletionStage<String> waiter = bulkhead.callAsync(() -> {
      ran.incrementAndGet();
      return CompletableFuture.completedFuture("never");
    });
    assertThatThrownBy(() -> waiter.toCompletableFuture().get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BulkheadFullException.class);
    assertThat(registry.get("ballast.bulkhead.calls").tag("reason", "wait-timeout").counter().count()).isEqualTo(1);

    bulkhead.release();
    assertThat(ran).hasValue(0);
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(bulkhead.tryAcquire()).as("the timed-out call took no slot with it").isTrue();
  }

  @Test
  void aWaitingAsyncCallCancelledByItsCallerLeavesTheQueueAndNeverRuns() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder().name("cancel").maxConcurrentCalls(1).maxWait(Duration.ofMinutes(5))
        .executor(Runnable::run).build();
    assertThat(bulkhead.tryAcquire()).isTrue();
    AtomicInteger ran = new AtomicInteger();
    CompletionStage<String> cancelled = bulkhead.callAsync(() -> {
      ran.incrementAndGet();
      return CompletableFuture.completedFuture("never");
    });
    CompletableFuture<String> next = new CompletableFuture<>();
    CompletionStage<String> behind = bulkhead.callAsync(() -> next);

    cancelled.toCompletableFuture().cancel(true);
    bulkhead.release(); // goes past the cancelled call to the one behind it
    assertThat(ran).hasValue(0);
    assertThat(bulkhead.inFlight()).isEqualTo(1);
    next.complete("behind");
    assertThat(behind.toCompletableFuture()).isCompletedWithValue("behind");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void waitingAsyncCallsGetSlotsFirstComeFirstServedAndCountTheirWait() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Bulkhead bulkhead = Bulkhead.builder().name("fifo").maxConcurrentCalls(1).maxWait(Duration.ofMinutes(5))
        .executor(Runnable::run).meterRegistry(registry).build();
    StringBuilder order = new StringBuilder();
    CompletableFuture<String> a = new CompletableFuture<>();
    CompletableFuture<String> b = new CompletableFuture<>();
    CompletableFuture<String> c = new CompletableFuture<>();
    bulkhead.callAsync(() -> started(order, "a", a));
    bulkhead.callAsync(() -> started(order, "b", b));
    bulkhead.callAsync(() -> started(order, "c", c));
    assertThat(order).hasToString("a");
    a.complete("a");
    assertThat(order).hasToString("ab");
    b.completeExceptionally(new IllegalStateException("b failed"));
    assertThat(order).hasToString("abc");
    c.complete("c");
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(registry.get("ballast.bulkhead.wait").timer().count()).as("two calls waited").isEqualTo(2);
  }

  @Test
  void aSlotReleasedThroughTheSemaphoreReachesAnAsyncCallThatQueuedMeanwhile() throws Exception {
    // Many rounds of a release racing a call that is about to queue: the call must never be left waiting
    // while a slot is free (it would then wait out its 5 minutes).
    Bulkhead bulkhead = Bulkhead.builder().name("race").maxConcurrentCalls(1).maxWait(Duration.ofMinutes(5))
        .executor(Runnable::run).build();
    for (int round = 0; round < 2_000; round++) {
      assertThat(bulkhead.tryAcquire()).isTrue();
      CountDownLatch go = new CountDownLatch(1);
      Thread releaser = new Thread(() -> {
        awaitQuietly(go);
        bulkhead.release();
      });
      releaser.start();
      go.countDown();
      CompletionStage<String> call = bulkhead.callAsync(() -> CompletableFuture.completedFuture("ran"));
      assertThat(call.toCompletableFuture().get(30, TimeUnit.SECONDS)).as("round %d", round).isEqualTo("ran");
      releaser.join(30_000);
      assertThat(bulkhead.inFlight()).as("round %d", round).isZero();
    }
  }

  private static CompletionStage<String> started(StringBuilder order, String name, CompletableFuture<String> stage) {
    order.append(name);
    return stage;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
