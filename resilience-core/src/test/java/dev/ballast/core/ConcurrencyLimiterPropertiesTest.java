package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Whatever latencies and drops the calls show, the limit stays within its bounds and no slot leaks. */
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
    long[] now = {0};
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().ticker(() -> now[0])
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
        now[0] += Math.abs(call[1]) * 1_000_000L;
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
}
