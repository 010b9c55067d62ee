package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deterministic simulation, no real time: a server with N workers and a FIFO queue, service times
 * log-normal around 10 ms (sigma 0.3), Poisson arrivals, a manual clock. Phases of 30 simulated seconds:
 * 10x the capacity of 20 workers; 10x the capacity with the workers halved to 10; the workers back and
 * the load down to half of the capacity; 10x again.
 *
 * <p>Stated targets, for each algorithm: from 3 s into each overload phase on, the limit (sampled each
 * simulated second) stays between the true concurrency N and 2N (measured: about 1.5N, as the gradient's
 * headroom and tolerance predict); from 5 s on, goodput (calls finished per second) is at least 90 % of
 * capacity and the p95 latency of accepted calls below 2x the unloaded p95 (the p95 of the service time
 * alone, 15.6 ms; measured about 21-24 ms); in the calm phase, fewer than 1 % of calls are refused and the limit stays below 4N (so the next spike
 * meets a limit near the dependency's capacity, not the maximum).
 */
class ConcurrencyLimiterSimulationTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;
  private static final double MEAN_SERVICE_MS = 10;
  private static final double SIGMA = 0.3;
  private static final int CONVERGED_AFTER_SECONDS = 3;

  private long now;
  private final Random random = new Random(42);
  private final PriorityQueue<long[]> events = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
  private final ArrayDeque<long[]> queue = new ArrayDeque<>();
  private int workers;
  private int busy;
  private ConcurrencyLimiter limiter;

  // per-phase counters
  private long offered;
  private long rejected;
  private long completed;
  private long[] latencies = new long[1 << 20];
  private int latencyCount;

  private static final int ARRIVAL = 0;
  private static final int DONE = 1;

  @ParameterizedTest
  @ValueSource(strings = {"gradient", "aimd"})
  void theLimitFollowsTheTrueConcurrencyAndKeepsGoodputAndLatency(String algorithm) {
    double unloadedP95 = unloadedP95();
    limiter = ConcurrencyLimiter.builder().name("sim")
        .algorithm(algorithm.equals("gradient") ? ConcurrencyLimitAlgorithm.gradient()
            : ConcurrencyLimitAlgorithm.aimd(Duration.ofNanos((long) (1.5 * unloadedP95))))
        .limits(20, 1, 1000).ticker(() -> now).build();

    Phase spike = runPhase(20, 10.0, 30);
    Phase halved = runPhase(10, 10.0, 30);
    Phase calm = runPhase(20, 0.5, 30);
    Phase again = runPhase(20, 10.0, 30);

    for (Phase overload : new Phase[] {spike, halved, again}) {
      int n = overload.workers;
      assertThat(overload.limitsFrom(CONVERGED_AFTER_SECONDS)).as("%s: the limit each second with N=%d", algorithm, n)
          .allSatisfy(limit -> assertThat(limit).isBetween(n, 2 * n));
      assertThat(overload.goodputShare).as("%s: goodput / capacity with N=%d", algorithm, n).isGreaterThanOrEqualTo(0.9);
      assertThat(overload.p95).as("%s: accepted p95 vs unloaded p95 %.1f ms", algorithm, unloadedP95 / MS)
          .isLessThan(2 * unloadedP95);
    }
    assertThat(calm.rejectedShare).as("%s: refused once the load dropped", algorithm).isLessThan(0.01);
    assertThat(calm.limitsFrom(CONVERGED_AFTER_SECONDS)).as("%s: quiet traffic does not inflate the limit", algorithm)
        .allSatisfy(limit -> assertThat(limit).isLessThanOrEqualTo(4 * 20));
  }

  @org.junit.jupiter.api.Test
  void withoutAnAdaptiveLimitTheSameSpikeBreaksTheLatencyTarget() {
    double unloadedP95 = unloadedP95();
    // A fixed limit of 1000 stands for "no limit": the check above must be able to fail.
    limiter = ConcurrencyLimiter.builder().name("fixed")
        .algorithm(ConcurrencyLimitAlgorithm.aimd(Duration.ofDays(1))).limits(1000, 1000, 1000)
        .ticker(() -> now).build();
    Phase spike = runPhase(20, 10.0, 30);
    assertThat(spike.p95).isGreaterThan(10 * unloadedP95);
  }

  private double unloadedP95() {
    long[] samples = new long[100_000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = serviceTime();
    }
    Arrays.sort(samples);
    return samples[(int) (samples.length * 0.95)];
  }

  private long serviceTime() {
    return (long) (MEAN_SERVICE_MS * MS * Math.exp(SIGMA * random.nextGaussian() - SIGMA * SIGMA / 2));
  }

  record Phase(int workers, double goodputShare, double p95, double rejectedShare, int[] limitPerSecond) {
    java.util.List<Integer> limitsFrom(int second) {
      return Arrays.stream(limitPerSecond, second, limitPerSecond.length).boxed().toList();
    }
  }

  private Phase runPhase(int workerCount, double loadFactor, int seconds) {
    workers = workerCount;
    double capacityPerSecond = workerCount * 1000 / MEAN_SERVICE_MS;
    double meanGapNanos = SECOND / (capacityPerSecond * loadFactor);
    long end = now + seconds * SECOND;
    long measureFrom = now + 5 * SECOND;
    events.removeIf(e -> e[1] == ARRIVAL);
    events.add(new long[] {now + (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos), ARRIVAL, 0});
    int[] limitPerSecond = new int[seconds];
    long nextSecond = now + SECOND;
    int second = 0;
    offered = rejected = completed = 0;
    latencyCount = 0;
    long measuredCompleted = 0;
    while (!events.isEmpty() && events.peek()[0] < end) {
      long[] event = events.poll();
      now = event[0];
      while (now >= nextSecond && second < seconds) {
        limitPerSecond[second++] = limiter.limit();
        nextSecond += SECOND;
      }
      if (event[1] == ARRIVAL) {
        events.add(new long[] {now + (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos), ARRIVAL, 0});
        offered++;
        long token = limiter.tryAcquire(0);
        if (token == ConcurrencyLimiter.REJECTED) {
          rejected++;
        } else {
          queue.add(new long[] {token});
          startWork();
        }
      } else {
        busy--;
        limiter.onSuccess(0, event[2]);
        completed++;
        if (now >= measureFrom) {
          measuredCompleted++;
          latencies[latencyCount++] = now - event[2];
        }
        startWork();
      }
    }
    now = end;
    while (second < seconds) {
      limitPerSecond[second++] = limiter.limit();
    }
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    double measuredSeconds = seconds - 5;
    double goodput = measuredCompleted / measuredSeconds;
    double offeredGoodput = Math.min(capacityPerSecond, capacityPerSecond * loadFactor);
    Phase phase = new Phase(workerCount, goodput / offeredGoodput, sorted[(int) (sorted.length * 0.95)],
        (double) rejected / offered, limitPerSecond);
    System.out.printf("N=%d load=%.1fx goodput=%.3f p95=%.1fms rejected=%.3f limits=%s%n", workerCount,
        loadFactor, phase.goodputShare, phase.p95 / MS, phase.rejectedShare, Arrays.toString(limitPerSecond));
    return phase;
  }

  private void startWork() {
    while (busy < workers && !queue.isEmpty()) {
      long[] request = queue.poll();
      busy++;
      events.add(new long[] {now + serviceTime(), DONE, request[0]});
    }
  }
}
