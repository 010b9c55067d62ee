package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker.Snapshot;
import dev.ballast.core.CircuitBreaker.State;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Single-threaded: the breaker against a deliberately naive model of the same rules. */
class CircuitBreakerModelTest {

  private static final RuntimeException BOOM = new IllegalStateException("boom");

  @Property
  void countWindowCountsTheLastNOutcomes(
      @ForAll @IntRange(min = 1, max = 20) int size,
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 3) Integer> outcomes) {
    BreakerCountWindow window = new BreakerCountWindow(size);
    Deque<Integer> last = new ArrayDeque<>();
    for (int outcome : outcomes) {
      window.record(outcome, 0);
      last.addLast(outcome);
      if (last.size() > size) {
        last.removeFirst();
      }
      int failed = (int) last.stream().filter(BreakerOutcome::failed).count();
      int slow = (int) last.stream().filter(BreakerOutcome::slow).count();
      assertThat(window.snapshot(0)).isEqualTo(new Snapshot(State.CLOSED, last.size(), failed, slow));
    }
  }

  /** One thing a caller can do: {@code kind} 0..3 report that outcome, 4 acquire, 5 release, 6 wait. */
  record Step(int kind, int ticks) {}

  /** {@code maxHalfOpen} in ticks, 0 = wait for the probes forever. */
  record Settings(int window, int minimumCalls, double failureThreshold, double slowThreshold, int probes,
      int maxHalfOpen) {}

  @Provide
  Arbitrary<Settings> settings() {
    return Combinators.combine(
        Arbitraries.integers().between(1, 10),
        Arbitraries.integers().between(1, 12),
        Arbitraries.of(0.2, 0.5, 1.0),
        Arbitraries.of(0.5, 1.0),
        Arbitraries.integers().between(1, 4),
        Arbitraries.of(0, 5, 20)).as(Settings::new);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    // Acquires and releases weigh more so that half-open phases see permits run out and come back.
    Arbitrary<Integer> kind = Arbitraries.frequency(
        Tuple.of(2, 0), Tuple.of(2, 1), Tuple.of(1, 2),
        Tuple.of(1, 3), Tuple.of(5, 4), Tuple.of(2, 5),
        Tuple.of(2, 6));
    Arbitrary<Step> step = Combinators.combine(kind, Arbitraries.integers().between(1, 15)).as(Step::new);
    return step.list().ofMaxSize(300);
  }

  @Property
  void breakerFollowsTheReferenceModel(@ForAll("settings") Settings s, @ForAll("steps") List<Step> steps) {
    ManualTicker now = new ManualTicker();
    CircuitBreakerBuilder builder = CircuitBreaker.builder().name("model").ticker(now::read)
        .countWindow(s.window()).minimumCalls(s.minimumCalls())
        .failureRateThreshold(s.failureThreshold()).slowCallRateThreshold(s.slowThreshold())
        .slowCallDuration(Duration.ofNanos(100)).openDuration(Duration.ofNanos(10))
        .halfOpenProbes(s.probes());
    CircuitBreaker breaker = (s.maxHalfOpen() > 0
        ? builder.maxHalfOpenDuration(Duration.ofNanos(s.maxHalfOpen()))
        : builder.withoutMaxHalfOpenDuration()).build();
    Model model = new Model(s, 10);

    for (Step step : steps) {
      switch (step.kind()) {
        case 4 -> assertThat(breaker.tryAcquirePermission()).isEqualTo(model.acquire(now.read()));
        case 5 -> {
          breaker.releasePermission();
          model.release();
        }
        case 6 -> now.advanceNanos(step.ticks());
        default -> {
          int outcome = step.kind();
          long duration = BreakerOutcome.slow(outcome) ? 100 : 99;
          if (BreakerOutcome.failed(outcome)) {
            breaker.onError(duration, BOOM);
          } else {
            breaker.onSuccess(duration);
          }
          model.result(outcome, now.read());
        }
      }
      assertThat(breaker.state()).isEqualTo(model.state);
      if (model.state == State.CLOSED) {
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(model.failed());
        assertThat(breaker.snapshot().bufferedCalls()).isEqualTo(model.last.size());
      }
    }
  }

  /** The rules as a textbook would state them, with no concern for speed. */
  private static final class Model {
    final Settings s;
    final long openNanos;
    State state = State.CLOSED;
    final Deque<Integer> last = new ArrayDeque<>();
    long openedAt;
    long lastGrantAt;
    int permits;
    int reported;
    int probeFailed;
    int probeSlow;

    Model(Settings s, long openNanos) {
      this.s = s;
      this.openNanos = openNanos;
    }

    boolean acquire(long now) {
      if (state == State.OPEN && now - openedAt >= openNanos) {
        state = State.HALF_OPEN;
        permits = s.probes();
        reported = probeFailed = probeSlow = 0;
        lastGrantAt = now;
      }
      if (state == State.HALF_OPEN) {
        if (permits == 0) {
          if (s.maxHalfOpen() > 0 && now - lastGrantAt >= s.maxHalfOpen()) {
            open(now); // the probes out took too long: give up on them
          }
          return false;
        }
        permits--;
        lastGrantAt = now;
        return true;
      }
      return state == State.CLOSED;
    }

    void release() {
      if (state == State.HALF_OPEN) {
        permits = Math.min(s.probes(), permits + 1);
      }
    }

    void result(int outcome, long now) {
      if (state == State.CLOSED) {
        last.addLast(outcome);
        if (last.size() > s.window()) {
          last.removeFirst();
        }
        int calls = last.size();
        if (outcome != BreakerOutcome.SUCCESS && calls >= Math.min(s.minimumCalls(), s.window())
            && trips(calls, failed(), (int) last.stream().filter(BreakerOutcome::slow).count())) {
          open(now);
        }
      } else if (state == State.HALF_OPEN) {
        probeFailed += BreakerOutcome.failed(outcome) ? 1 : 0;
        probeSlow += BreakerOutcome.slow(outcome) ? 1 : 0;
        if (++reported == s.probes()) {
          if (trips(s.probes(), probeFailed, probeSlow)) {
            open(now);
          } else {
            state = State.CLOSED;
            last.clear();
          }
        }
      }
    }

    int failed() {
      return (int) last.stream().filter(BreakerOutcome::failed).count();
    }

    private boolean trips(int calls, int failed, int slow) {
      return (double) failed / calls >= s.failureThreshold()
          || (s.slowThreshold() < 1.0 && (double) slow / calls >= s.slowThreshold());
    }

    private void open(long now) {
      state = State.OPEN;
      openedAt = now;
    }
  }
}
