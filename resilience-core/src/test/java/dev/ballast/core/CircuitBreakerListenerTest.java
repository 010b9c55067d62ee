package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker.State;
import dev.ballast.core.CircuitBreaker.StateTransition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerListenerTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final ManualTicker now = new ManualTicker();
  private final RuntimeException boom = new IllegalStateException("boom");
  private final CircuitBreaker breaker = CircuitBreaker.builder().name("events").ticker(now::read)
      .countWindow(2).minimumCalls(2).openDuration(Duration.ofSeconds(1)).halfOpenProbes(1).build();

  @Test
  void seesEachTransitionOnceInOrder() {
    List<StateTransition> seen = new ArrayList<>();
    breaker.addListener(seen::add);

    breaker.onError(0, boom);
    breaker.onError(0, boom);
    breaker.onError(0, boom); // already open: no second event
    now.advanceNanos(SECOND);
    breaker.tryAcquirePermission();
    breaker.onSuccess(0);
    breaker.forceOpen();
    breaker.forceOpen();
    breaker.disable();
    breaker.reset();

    assertThat(seen).extracting(StateTransition::from, StateTransition::to).containsExactly(
        org.assertj.core.groups.Tuple.tuple(State.CLOSED, State.OPEN),
        org.assertj.core.groups.Tuple.tuple(State.OPEN, State.HALF_OPEN),
        org.assertj.core.groups.Tuple.tuple(State.HALF_OPEN, State.CLOSED),
        org.assertj.core.groups.Tuple.tuple(State.CLOSED, State.FORCED_OPEN),
        org.assertj.core.groups.Tuple.tuple(State.FORCED_OPEN, State.DISABLED),
        org.assertj.core.groups.Tuple.tuple(State.DISABLED, State.CLOSED));
    assertThat(seen).allSatisfy(t -> {
      assertThat(t.name()).isEqualTo("events");
      assertThat(t.reason()).isNotBlank();
      assertThat(t.at()).isNotNull();
    });
    assertThat(seen.get(0).reason()).contains("failure rate 100.0% >= 50.0% over 2 calls");
  }

  @Test
  void aThrowingListenerBreaksNeitherTheBreakerNorOtherListeners() {
    List<StateTransition> seen = new ArrayList<>();
    breaker.addListener(t -> {
      throw new IllegalStateException("listener bug");
    });
    breaker.addListener(seen::add);

    breaker.onError(0, boom);
    breaker.onError(0, boom);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(seen).hasSize(1);
    breaker.reset();
    assertThat(seen).hasSize(2);
  }

  @Test
  void aListenerThatCausesATransitionSeesItAfterTheCurrentOne() {
    List<State> seen = new ArrayList<>();
    breaker.addListener(t -> {
      if (t.to() == State.OPEN) {
        breaker.forceOpen();
      }
      seen.add(t.to());
    });
    breaker.addListener(t -> seen.add(t.to()));

    breaker.onError(0, boom);
    breaker.onError(0, boom);

    assertThat(seen).containsExactly(State.OPEN, State.OPEN, State.FORCED_OPEN, State.FORCED_OPEN);
  }

  @Test
  void underConcurrencyEveryTransitionArrivesOnceInOrderAndNeverOverlapping() throws Exception {
    List<StateTransition> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean inside = new AtomicBoolean();
    AtomicInteger overlaps = new AtomicInteger();
    breaker.addListener(t -> {
      if (!inside.compareAndSet(false, true)) {
        overlaps.incrementAndGet();
      }
      seen.add(t);
      inside.set(false);
    });

    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        await(start);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 5_000; i++) {
          switch (random.nextInt(6)) {
            case 0 -> breaker.forceOpen();
            case 1 -> breaker.disable();
            case 2 -> breaker.reset();
            case 3 -> now.advanceNanos(SECOND);
            case 4 -> {
              if (breaker.tryAcquirePermission()) {
                breaker.onSuccess(0);
              }
            }
            default -> breaker.onError(0, boom);
          }
        }
      });
      workers.add(worker);
      worker.start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    }

    assertThat(overlaps).hasValue(0);
    assertThat(seen).isNotEmpty();
    State previous = State.CLOSED;
    for (StateTransition t : seen) {
      assertThat(t.from()).isEqualTo(previous);
      previous = t.to();
    }
    assertThat(previous).isEqualTo(breaker.state());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
