package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever latencies and drops the calls show, the limit stays within its bounds and no slot leaks; and
 * asynchronous calls in any interleaving of success, failure, drop (a timeout), cancellation by the caller
 * or an outer timeout, late completion and an action that throws free their slot exactly once.
 */
class ConcurrencyLimiterPropertiesTest {

  @Provide
  Arbitrary<List<Integer>> latenciesMs() {
    // Negative values stand for drops.
    return Arbitraries.integers().between(-50, 2_000).list().ofMinSize(1).ofMaxSize(400);
  }

  @Property(tries = 200)
  void theLimitStaysWithinItsBounds(@ForAll("latenciesMs") List<Integer> calls,
      @ForAll @IntRange(min = 1, max = 20) int min, @ForAll @IntRange(min = 0, max = 50) int span,
      @ForAll boolean gradient) {
    int max = min + span;
    ManualTicker now = new ManualTicker();
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().ticker(now::read)
        .algorithm(gradient
            ? new ConcurrencyLimitAlgorithm.Gradient(0.25, Duration.ofMillis(50), Duration.ofSeconds(5), 5, 3)
            : ConcurrencyLimitAlgorithm.aimd(Duration.ofMillis(300)))
        .limits(min + span / 2, min, max).build();
    ArrayDeque<long[]> open = new ArrayDeque<>();
    for (int latency : calls) {
      long token = limiter.tryAcquire(0);
      if (token != ConcurrencyLimiter.REJECTED) {
        open.add(new long[] {token, latency});
      }
      if (open.size() > 2 || token == ConcurrencyLimiter.REJECTED) {
        long[] call = open.poll();
        now.advanceNanos(Math.abs(call[1]) * 1_000_000L);
        if (call[1] < 0) {
          limiter.onDropped(0, call[0]);
        } else {
          limiter.onSuccess(0, call[0]);
        }
      }
      assertThat(limiter.limit()).isBetween(min, max);
      assertThat(limiter.inFlight()).isEqualTo(open.size());
    }
  }

  enum AsyncOp { START, START_CHECKOUT, SUCCEED, FAIL, DROP, CANCEL, TIME_OUT, LATE_COMPLETE, THROW }

  @Provide
  Arbitrary<List<AsyncOp>> asyncOps() {
    return Arbitraries.of(AsyncOp.class).list().ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 300)
  void asyncCallsFreeTheirSlotExactlyOnce(@ForAll("asyncOps") List<AsyncOp> ops,
      @ForAll @IntRange(min = 1, max = 6) int initial, @ForAll boolean gradient,
      @ForAll @IntRange(min = 0, max = 1_000) int seed) {
    ManualTicker now = new ManualTicker();
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().ticker(now::read)
        .algorithm(gradient
            ? new ConcurrencyLimitAlgorithm.Gradient(0.25, Duration.ofMillis(50), Duration.ofSeconds(5), 5, 3)
            : ConcurrencyLimitAlgorithm.aimd(Duration.ofMillis(300)))
        .limits(initial, 1, 8).partition("checkout", 0.5).build();
    Policy checkout = limiter.partition("checkout");
    List<CompletableFuture<String>> running = new ArrayList<>();
    List<CompletableFuture<String>> returned = new ArrayList<>();
    List<CompletableFuture<String>> ended = new ArrayList<>();
    int pick = seed;
    for (AsyncOp op : ops) {
      pick = pick * 31 + 7;
      now.advanceNanos(Math.floorMod(pick, 40) * 1_000_000L); // 0-39 ms pass between two steps
      int index = running.isEmpty() ? -1 : Math.floorMod(pick, running.size());
      switch (op) {
        case START, START_CHECKOUT -> {
          CompletableFuture<String> action = new CompletableFuture<>();
          CompletableFuture<String> stage = (op == AsyncOp.START ? limiter : checkout).callAsync(() -> action)
              .toCompletableFuture();
          if (!stage.isCompletedExceptionally()) {
            running.add(action);
            returned.add(stage);
          }
        }
        case SUCCEED, FAIL, DROP, CANCEL, TIME_OUT -> {
          if (index >= 0) {
            CompletableFuture<String> action = running.remove(index);
            CompletableFuture<String> stage = returned.remove(index);
            switch (op) {
              case SUCCEED -> action.complete("ok");
              case FAIL -> action.completeExceptionally(new IOException("bad request"));
              case DROP -> action.completeExceptionally(new TimeoutExceededException("db", Duration.ofMillis(5)));
              case CANCEL -> stage.cancel(false);
              default -> stage.cancel(true);
            }
            ended.add(action);
          }
        }
        case LATE_COMPLETE -> {
          if (!ended.isEmpty()) {
            ended.get(Math.floorMod(pick, ended.size())).complete("late");
          }
        }
        case THROW -> limiter.callAsync(() -> {
          throw new IllegalStateException("no stage");
        });
      }
      assertThat(limiter.inFlight()).as("in flight after %s", op).isEqualTo(running.size());
      assertThat(limiter.limit()).isBetween(1, 8);
    }
    running.forEach(action -> action.complete("end"));
    assertThat(limiter.inFlight()).isZero();
  }
}
