package dev.ballast.benchmarks;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * The whole of {@code RESULTS.md} from one run ({@code benchmarks/run-all.sh}, issue 17): every benchmark
 * in one of four groups, each with the settings its claims need, then one document with the budgets
 * checked against this run, the tables, and the SampleTime tails of the contended paths.
 * <ul>
 *   <li>forked: the L1 hit, every 2-thread (contended) benchmark, and the two whose verdict flipped between
 *       1-fork runs (the 1-thread bulkhead, the distributed limiter against raw {@code EVALSHA}), at least
 *       3 forks (their contenders differ by less than one fork's spread on a shared machine);
 *   <li>tails: the contended benchmarks again in SampleTime, 3 forks: p50 to p99.99 beside the means;
 *   <li>composition: 10 warm-up iterations (its deep call chain compiles late; 3 left it half-warm);
 *   <li>standard: the rest, {@code bench.forks} (1) forks, 3 warm-up iterations.
 * </ul>
 * {@code -Dbench.quick=true} runs each group with 1 fork, 1 warm-up and 1 iteration, to check the script,
 * not to quote. Filters (regular expressions) restrict every group to the benchmarks they match.
 */
final class FullRun {

  /** The benchmarks run with at least 3 forks: the L1 hit, the contended ones, and the ties that flipped. */
  static final String FORKED = "(CacheL1HitBenchmark\\.hit|2Threads|BulkheadBenchmark\\.acquireRelease"
      + "|DistributedRateLimiterBenchmark\\.acquire)$";
  static final String COMPOSITION = "CompositionBenchmark\\.";
  private static final double[] PERCENTILES = {50, 99, 99.9, 99.99};

  private FullRun() {}

  static String run(List<String> filters, String arguments) throws RunnerException {
    boolean quick = Boolean.getBoolean("bench.quick");
    int forks = Integer.getInteger("bench.forks", 1);
    int contendedForks = quick ? 1 : Math.max(3, forks);
    List<RunResult> means = new ArrayList<>();
    List<RunResult> tails = new ArrayList<>();
    means.addAll(group(filters, ".*", FORKED + "|" + COMPOSITION, quick ? 1 : forks, quick ? 1 : 3, null));
    means.addAll(group(filters, FORKED, null, contendedForks, quick ? 1 : 3, null));
    means.addAll(group(filters, COMPOSITION, null, quick ? 1 : forks, quick ? 1 : 10, null));
    tails.addAll(group(filters, "2Threads$", null, contendedForks, quick ? 1 : 3, Mode.SampleTime));

    StringBuilder md = new StringBuilder();
    md.append("## Run of ").append(LocalDate.now()).append("\n\n")
        .append("Machine: ").append(Machine.describe()).append(", load average at the end ")
        .append(Machine.loadAverage()).append("\n\n")
        .append("Command: `benchmarks/run-all.sh").append(arguments.isEmpty() ? "" : " " + arguments)
        .append("`").append(quick ? " (quick: 1 fork, 1 iteration: not for quoting)" : "").append("\n\n")
        .append("Forks: ").append(contendedForks).append(" for the L1 hit, the 2-thread benchmarks (means and ")
        .append("SampleTime tails), the 1-thread bulkhead and the distributed limiter, ")
        .append(quick ? 1 : forks).append(" for the others; composition with ")
        .append(quick ? 1 : 10).append(" warm-up iterations.\n\n");
    md.append("## Budgets against this run\n\n").append(Budgets.check(means, tails)).append('\n');
    md.append(BenchmarkReport.tables(means));
    if (!tails.isEmpty()) {
      md.append("## Tails of the contended paths (SampleTime, ").append(contendedForks).append(" forks)\n\n");
      md.append(tailTables(tails));
    }
    return md.toString();
  }

  /** Runs the benchmarks matching {@code group} and every filter, except {@code exclude}; none is fine. */
  private static Collection<RunResult> group(List<String> filters, String group, String exclude, int forks,
      int warmups, Mode mode) throws RunnerException {
    StringBuilder include = new StringBuilder("^(?=.*(?:").append(group).append("))");
    for (String filter : filters) {
      include.append("(?=.*(?:").append(filter).append("))");
    }
    ChainedOptionsBuilder options = BenchmarkReport.options(forks, warmups).include(include.toString());
    if (exclude != null) {
      options.exclude(exclude);
    }
    if (mode != null) {
      options.mode(mode);
    }
    try {
      return new Runner(options.build()).run();
    } catch (NoBenchmarksException e) {
      return List.of();
    }
  }

  static String tailTables(Collection<RunResult> tails) {
    Map<String, List<RunResult>> byBenchmark = new LinkedHashMap<>();
    for (RunResult result : tails) {
      byBenchmark.computeIfAbsent(result.getParams().getBenchmark(), k -> new ArrayList<>()).add(result);
    }
    StringBuilder md = new StringBuilder();
    byBenchmark.forEach((name, runs) -> {
      runs.sort(Comparator.comparingDouble(r -> r.getPrimaryResult().getScore()));
      md.append("### ").append(name.replace("dev.ballast.benchmarks.", "")).append(" (SampleTime)\n\n")
          .append("| contender | mean | p50 | p99 | p99.9 | p99.99 | unit |\n|---|---:|---:|---:|---:|---:|---|\n");
      for (RunResult run : runs) {
        Result<?> primary = run.getPrimaryResult();
        Statistics stats = primary.getStatistics();
        md.append("| ").append(BenchmarkReport.contender(run)).append(" | ").append(format(primary.getScore()));
        for (double p : PERCENTILES) {
          md.append(" | ").append(format(stats.getPercentile(p)));
        }
        md.append(" | ").append(primary.getScoreUnit()).append(" |\n");
      }
      md.append('\n');
    });
    return md.toString();
  }

  /** The run of {@code benchmark} (simple name, e.g. {@code RetryBenchmark.successPath}) for a contender. */
  static Optional<RunResult> find(Collection<RunResult> results, String benchmark, String contender) {
    return results.stream()
        .filter(r -> r.getParams().getBenchmark().endsWith("." + benchmark))
        .filter(r -> contender.equals(BenchmarkReport.contender(r)))
        .findFirst();
  }

  static String format(double value) {
    return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
  }
}
