package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker.State;
import dev.ballast.core.CircuitBreaker.StateTransition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Real threads released together by a latch; no sleeps. */
class CircuitBreakerConcurrencyTest {

  private static final int THREADS = 4;
  private final ManualTicker now = new ManualTicker();

  @Test
  void concurrentSuccessesKeepTheBreakerClosedWithAFullCleanWindow() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().name("busy").ticker(now::read).countWindow(100).build();
    List<StateTransition> seen = new CopyOnWriteArrayList<>();
    breaker.addListener(seen::add);

    runConcurrently(() -> {
      for (int i = 0; i < 10_000; i++) {
        if (breaker.tryAcquirePermission()) {
          breaker.onSuccess(1_000);
        }
      }
    });

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 100, 0, 0));
    assertThat(seen).isEmpty();
  }

  @Test
  void concurrentSuccessesAreAllCountedInATimeWindow() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().name("busy-timed").ticker(now::read)
        .timeWindow(Duration.ofSeconds(10)).build();

    runConcurrently(() -> {
      for (int i = 0; i < 10_000; i++) {
        breaker.onSuccess(1_000);
      }
    });

    assertThat(breaker.snapshot()).isEqualTo(new CircuitBreaker.Snapshot(State.CLOSED, 40_000, 0, 0));
  }

  @Test
  void concurrentFailuresOpenTheBreakerExactlyOnce() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().name("failing").ticker(now::read).countWindow(100).build();
    List<StateTransition> seen = new CopyOnWriteArrayList<>();
    breaker.addListener(seen::add);
    RuntimeException boom = new IllegalStateException("boom");

    runConcurrently(() -> {
      for (int i = 0; i < 1_000; i++) {
        breaker.onError(1_000, boom);
      }
    });

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(seen).singleElement().satisfies(t -> {
      assertThat(t.from()).isEqualTo(State.CLOSED);
      assertThat(t.to()).isEqualTo(State.OPEN);
    });
  }

  @Test
  void concurrentProbeRequestsGetExactlyTheProbePermits() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().name("probing").ticker(now::read)
        .countWindow(1).halfOpenProbes(3).build();
    breaker.onError(0, new IllegalStateException("boom"));
    now.advanceNanos(Duration.ofSeconds(30).toNanos());
    AtomicInteger granted = new AtomicInteger();

    runConcurrently(() -> {
      for (int i = 0; i < 100; i++) {
        if (breaker.tryAcquirePermission()) {
          granted.incrementAndGet();
        }
      }
    });

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(granted).hasValue(3);
  }

  @Test
  void concurrentRequestsNoticeTimedOutProbesExactlyOnce() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().name("hung-probes").ticker(now::read)
        .countWindow(1).halfOpenProbes(3).maxHalfOpenDuration(Duration.ofSeconds(10)).build();
    List<StateTransition> seen = new CopyOnWriteArrayList<>();
    breaker.addListener(seen::add);
    breaker.onError(0, new IllegalStateException("boom"));
    now.advanceNanos(Duration.ofSeconds(30).toNanos());
    for (int i = 0; i < 3; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue(); // probes that will never report
    }
    now.advanceNanos(Duration.ofSeconds(10).toNanos());
    AtomicInteger granted = new AtomicInteger();

    runConcurrently(() -> {
      for (int i = 0; i < 1_000; i++) {
        if (breaker.tryAcquirePermission()) {
          granted.incrementAndGet();
        }
      }
    });

    assertThat(granted).as("open again for a full openDuration").hasValue(0);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(seen).extracting(StateTransition::to).containsExactly(State.OPEN, State.HALF_OPEN, State.OPEN);
  }

  private static void runConcurrently(Runnable work) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          work.run();
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(failures).isEmpty();
  }
}
