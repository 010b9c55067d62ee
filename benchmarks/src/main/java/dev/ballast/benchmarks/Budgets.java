package dev.ballast.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.openjdk.jmh.results.RunResult;

/**
 * The budgets of {@code shared/DESIGN.md} and issue 17, checked against one run: each row says what was
 * measured and whether the budget was met, so that RESULTS.md's verdicts come from the same run as its
 * tables. A budget whose benchmarks did not run (a filtered run) says so.
 */
final class Budgets {

  private Budgets() {}

  /** Ballast's mean at most {@code factor} × each peer's mean (lower is better), and 0 B/op if asked. */
  private record Relative(String what, String benchmark, double factor, boolean zeroAlloc, String... peers) {}

  /** Ballast's percentile {@code p} (SampleTime) below {@code limitNanos}. */
  private record Tail(String what, String benchmark, double p, double limitNanos) {}

  private static final List<Relative> RELATIVE = List.of(
      new Relative("local token bucket, 1 thread: faster than every peer; 0 B/op", "RateLimiterBenchmark.granted",
          1.0, true, "bucket4j", "resilience4j", "guava", "failsafe"),
      new Relative("local token bucket, 2 threads: faster than every peer (mean of the forks); 0 B/op",
          "RateLimiterBenchmark.granted2Threads", 1.0, true, "bucket4j", "resilience4j", "guava", "failsafe"),
      new Relative("retry, success path: no slower than Resilience4j and Failsafe", "RetryBenchmark.successPath",
          1.0, false, "resilience4j", "failsafe"),
      new Relative("circuit breaker call, 1 thread", "CircuitBreakerBenchmark.call", 1.0, false, "resilience4j", "failsafe"),
      new Relative("circuit breaker primitives, 1 thread", "CircuitBreakerBenchmark.primitives", 1.0, false,
          "resilience4j", "failsafe"),
      new Relative("circuit breaker call, 2 threads", "CircuitBreakerBenchmark.call2Threads", 1.0, false,
          "resilience4j", "failsafe"),
      new Relative("circuit breaker primitives, 2 threads", "CircuitBreakerBenchmark.primitives2Threads", 1.0, false,
          "resilience4j", "failsafe"),
      new Relative("composition (retry around breaker), success path", "CompositionBenchmark.retryAroundBreaker", 1.0,
          false, "resilience4j", "failsafe"),
      new Relative("L1 hit within 10 % of the floor (Caffeine holding L1Entry, coarse clock); 0 B/op",
          "CacheL1HitBenchmark.hit", 1.1, true, "floor"),
      new Relative("L1 hit ≤ 1.3 × Caffeine expireAfterWrite (same coarse ticker)", "CacheL1HitBenchmark.hit", 1.3,
          false, "caffeine-expiring"),
      new Relative("L2 hit: one round trip, ≤ 1.15 × raw Lettuce GET", "CacheL2HitBenchmark.l2Hit", 1.15, false,
          "lettuce"),
      new Relative("distributed rate limit ≤ 1.1 × raw EVALSHA", "DistributedRateLimiterBenchmark.acquire", 1.1, false,
          "baseline"),
      new Relative("distributed rate limit faster than Bucket4j's Lettuce proxy manager",
          "DistributedRateLimiterBenchmark.acquire", 1.0, false, "bucket4j"),
      new Relative("bulkhead acquire/release no slower than Resilience4j's, 1 thread; 0 B/op",
          "BulkheadBenchmark.acquireRelease", 1.0, true, "resilience4j"),
      new Relative("bulkhead acquire/release no slower than Resilience4j's, 2 threads; 0 B/op",
          "BulkheadBenchmark.acquireRelease2Threads", 1.0, true, "resilience4j"),
      new Relative("adaptive concurrency limiter no slower than Netflix concurrency-limits, 1 thread; 0 B/op",
          "ConcurrencyLimiterBenchmark.acquireRelease", 1.0, true, "netflix"),
      new Relative("adaptive concurrency limiter no slower than Netflix concurrency-limits, 2 threads; 0 B/op",
          "ConcurrencyLimiterBenchmark.acquireRelease2Threads", 1.0, true, "netflix"));

  private static final List<Tail> TAILS = List.of(
      new Tail("local token bucket, 2 threads: p99.9 under 10 µs", "RateLimiterBenchmark.granted2Threads", 99.9, 10_000));

  static String check(Collection<RunResult> means, Collection<RunResult> tails) {
    StringBuilder md = new StringBuilder("| budget | measured | verdict |\n| --- | --- | --- |\n");
    for (Relative budget : RELATIVE) {
      Optional<RunResult> ballast = FullRun.find(means, budget.benchmark(), "ballast");
      if (ballast.isEmpty()) {
        md.append("| ").append(budget.what()).append(" | not in this run | — |\n");
        continue;
      }
      double own = ballast.get().getPrimaryResult().getScore();
      String alloc = BenchmarkReport.allocation(ballast.get());
      List<String> measured = new ArrayList<>();
      measured.add("ballast " + FullRun.format(own) + " " + ballast.get().getPrimaryResult().getScoreUnit() + ", "
          + alloc + " B/op");
      boolean met = !budget.zeroAlloc() || alloc.equals("0.0") || alloc.equals("n/a") || parse(alloc) < 0.5;
      for (String peer : budget.peers()) {
        Optional<RunResult> other = FullRun.find(means, budget.benchmark(), peer);
        if (other.isEmpty()) {
          measured.add(peer + " not run");
          continue;
        }
        double score = other.get().getPrimaryResult().getScore();
        measured.add(String.format(java.util.Locale.ROOT, "%s %s (ballast %.2f ×)", peer, FullRun.format(score), own / score));
        met &= own <= budget.factor() * score;
      }
      md.append("| ").append(budget.what()).append(" | ").append(String.join("; ", measured)).append(" | ")
          .append(met ? "met" : "**missed**").append(" |\n");
    }
    for (Tail budget : TAILS) {
      Optional<RunResult> ballast = FullRun.find(tails, budget.benchmark(), "ballast");
      if (ballast.isEmpty()) {
        md.append("| ").append(budget.what()).append(" | not in this run | — |\n");
        continue;
      }
      double nanos = ballast.get().getPrimaryResult().getStatistics().getPercentile(budget.p())
          * nanosPer(ballast.get().getPrimaryResult().getScoreUnit());
      md.append("| ").append(budget.what()).append(" | ballast p").append(budget.p()).append(" ")
          .append(FullRun.format(nanos)).append(" ns | ").append(nanos < budget.limitNanos() ? "met" : "**missed**")
          .append(" |\n");
    }
    return md.toString();
  }

  private static double parse(String number) {
    try {
      return Double.parseDouble(number);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double nanosPer(String unit) {
    if (unit.startsWith("us")) {
      return 1e3;
    }
    if (unit.startsWith("ms")) {
      return 1e6;
    }
    if (unit.startsWith("s/")) {
      return 1e9;
    }
    return 1;
  }
}
