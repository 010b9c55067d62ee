package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous calls waiting for a slot are capped by {@code maxWaitingCalls}: one more is refused at once
 * ({@code reason=queue-full}); a call that stops waiting (granted, timed out, cancelled) frees its place. A
 * waited call starts on Ballast's own pool, not on a thread made for it.
 */
class BulkheadWaitingCapTest {

  @Test
  void aCallBeyondTheWaitingCapIsRefusedAtOnceAndCountedAsQueueFull() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Bulkhead bulkhead = Bulkhead.builder().name("capped").maxConcurrentCalls(1).maxWait(Duration.ofMinutes(5))
        .maxWaitingCalls(2).meterRegistry(registry).build();
    CompletableFuture<String> held = new CompletableFuture<>();
    bulkhead.callAsync(() -> held);
    CompletionStage<String> w1 = bulkhead.callAsync(() -> CompletableFuture.completedFuture("w1"));
    CompletionStage<String> w2 = bulkhead.callAsync(() -> CompletableFuture.completedFuture("w2"));
    CompletionStage<String> w3 = bulkhead.callAsync(() -> CompletableFuture.completedFuture("w3"));

    assertThat(w1.toCompletableFuture()).isNotDone();
    assertThat(w2.toCompletableFuture()).isNotDone();
    assertThat(w3.toCompletableFuture()).as("refused at once, not after maxWait").isCompletedExceptionally();
    assertThatThrownBy(() -> w3.toCompletableFuture().get()).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(BulkheadFullException.class).hasMessageContaining("2 waiting");
    assertThat(registry.get("ballast.bulkhead.calls").tag("reason", "queue-full").counter().count()).isEqualTo(1);

    // A cancelled waiter frees its place in the queue.
    w2.toCompletableFuture().cancel(false);
    CompletionStage<String> w4 = bulkhead.callAsync(() -> CompletableFuture.completedFuture("w4"));
    assertThat(w4.toCompletableFuture()).isNotDone();

    // Granted waiters free theirs too: all run once the slot comes back.
    held.complete("held");
    assertThat(w1.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo("w1");
    assertThat(w4.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo("w4");
    assertThat(registry.get("ballast.bulkhead.calls").tag("reason", "queue-full").counter().count()).isEqualTo(1);
  }

  @Test
  void aWaitThatTimedOutFreesItsPlace() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder().name("capped-timeout").maxConcurrentCalls(1)
        .maxWait(Duration.ofMillis(20)).maxWaitingCalls(1).build();
    assertThat(bulkhead.tryAcquire()).isTrue();
    CompletionStage<String> timedOut = bulkhead.callAsync(() -> CompletableFuture.completedFuture("x"));
    assertThatThrownBy(() -> timedOut.toCompletableFuture().get(30, TimeUnit.SECONDS))
        .cause().isInstanceOf(BulkheadFullException.class);
    CompletionStage<String> next = bulkhead.callAsync(() -> CompletableFuture.completedFuture("y"));
    // It waits (its place was freed) and times out in turn, rather than being refused as queue-full at once.
    assertThatThrownBy(() -> next.toCompletableFuture().get(30, TimeUnit.SECONDS))
        .cause().isInstanceOf(BulkheadFullException.class).hasMessageNotContaining("waiting");
    bulkhead.release();
  }

  @Test
  void theDefaultCapIsFourTimesTheSlotsAndZeroDisablesAsyncWaiting() {
    assertThat(Bulkhead.builder().maxConcurrentCalls(3).build().config().maxWaitingCalls()).isEqualTo(12);
    assertThat(Bulkhead.builder().maxConcurrentCalls(Integer.MAX_VALUE).build().config().maxWaitingCalls())
        .isEqualTo(Integer.MAX_VALUE);
    Bulkhead none = Bulkhead.builder().maxConcurrentCalls(1).maxWait(Duration.ofMinutes(1)).maxWaitingCalls(0).build();
    assertThat(none.tryAcquire()).isTrue();
    assertThat(none.callAsync(() -> CompletableFuture.completedFuture("x")).toCompletableFuture())
        .isCompletedExceptionally();
    none.release();
    assertThatThrownBy(() -> Bulkhead.builder().maxConcurrentCalls(1).maxWaitingCalls(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bulkhead.maxWaitingCalls");
    assertThatThrownBy(() -> Bulkhead.builder().maxWaitingCalls(1).maxWaitingCalls(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxWaitingCalls");
  }

  @Test
  void theCapIsAConfigurationKey() {
    Registry registry = Configuration.parse("""
        bulkheads:
          db: { maxConcurrentCalls: 6, maxWait: 20ms, maxWaitingCalls: 3 }
          api: { maxConcurrentCalls: 2 }
        """, "test.yaml").buildRegistry(ConfigContext.defaults());
    assertThat(registry.get("db", Bulkhead.class).config().maxWaitingCalls()).isEqualTo(3);
    assertThat(registry.get("api", Bulkhead.class).config().maxWaitingCalls()).isEqualTo(8);
  }

  @Test
  void underRacingGrantsTimeoutsAndCancelsEveryPlaceComesBack() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder().name("capped-race").maxConcurrentCalls(2)
        .maxWait(Duration.ofMillis(2)).maxWaitingCalls(4).build();
    ScheduledExecutorService backend = Executors.newScheduledThreadPool(2);
    try {
      List<CompletableFuture<String>> all = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread caller = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < 300; i++) {
            CompletableFuture<String> call = bulkhead.<String>callAsync(() -> {
              CompletableFuture<String> reply = new CompletableFuture<>();
              backend.schedule(() -> reply.complete("ok"), random.nextInt(50, 500), TimeUnit.MICROSECONDS);
              return reply;
            }).toCompletableFuture();
            if (random.nextInt(4) == 0) {
              call.cancel(false);
            }
            all.add(call);
          }
        });
        callers.add(caller);
        caller.start();
      }
      go.countDown();
      for (Thread caller : callers) {
        caller.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(caller.isAlive()).isFalse();
      }
      for (CompletableFuture<String> call : all) {
        try {
          call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.CancellationException expected) {
          // refused or cancelled: what counts is that it ended
        }
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> bulkhead.inFlight() == 0);

      // Every call that waited gave its place back exactly once: none leaked, none given back twice.
      assertThat(((SemaphoreBulkhead) bulkhead).waitingCalls()).isZero();
    } finally {
      backend.shutdownNow();
    }
  }

  @Test
  void aWaitedCallStartsOnBallastsAsyncPool() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder().name("pooled").maxConcurrentCalls(1).maxWait(Duration.ofMinutes(5)).build();
    CompletableFuture<String> held = new CompletableFuture<>();
    bulkhead.callAsync(() -> held);
    AtomicReference<String> startedOn = new AtomicReference<>();
    CompletionStage<String> waiter = bulkhead.callAsync(() -> {
      startedOn.set(Thread.currentThread().getName());
      return CompletableFuture.completedFuture("ran");
    });
    held.complete("held");
    assertThat(waiter.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo("ran");
    assertThat(startedOn.get()).startsWith("ballast-async-");
  }
}
