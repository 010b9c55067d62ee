package dev.ballast.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks with settings that fit a 2-core machine, with the GC profiler on, and writes a
 * Markdown table per benchmark: each contender's time per operation, bytes allocated per operation and
 * its time relative to Ballast's. Used by {@code benchmarks/run.sh}.
 *
 * <p>Arguments: the output file, then optional regular expressions selecting benchmarks (default all).
 * System properties {@code bench.forks}, {@code bench.warmups}, {@code bench.iterations} and
 * {@code bench.seconds} shorten or lengthen the run.
 */
public final class BenchmarkReport {

  private BenchmarkReport() {}

  public static void main(String[] args) throws RunnerException, IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: BenchmarkReport OUTPUT.md [INCLUDE-REGEX...]");
    }
    Path output = Path.of(args[0]);
    List<String> filters = List.of(java.util.Arrays.copyOfRange(args, 1, args.length));
    String arguments = String.join(" ", filters);
    if ("full".equals(System.getProperty("bench.plan"))) {
      Files.writeString(output, FullRun.run(filters, arguments));
      return;
    }
    ChainedOptionsBuilder options = options(Integer.getInteger("bench.forks", 1), Integer.getInteger("bench.warmups", 3));
    if (filters.isEmpty()) {
      options.include("dev\\.ballast\\.benchmarks\\..*");
    }
    filters.forEach(options::include);
    Collection<RunResult> results = new Runner(options.build()).run();
    Files.writeString(output, render(results, arguments));
  }

  /**
   * The common options: {@code forks} and {@code warmups} as given, {@code bench.iterations} (5) and
   * {@code bench.seconds} (1) per iteration, a 1 GB heap, the GC profiler.
   */
  static ChainedOptionsBuilder options(int forks, int warmups) {
    int seconds = Integer.getInteger("bench.seconds", 1);
    return new OptionsBuilder()
        .forks(forks)
        .warmupIterations(warmups)
        .warmupTime(TimeValue.seconds(seconds))
        .measurementIterations(Integer.getInteger("bench.iterations", 5))
        .measurementTime(TimeValue.seconds(seconds))
        .jvmArgsAppend("-Xms1g", "-Xmx1g")
        .addProfiler(GCProfiler.class);
  }

  static String render(Collection<RunResult> results, String arguments) {
    StringBuilder md = new StringBuilder();
    md.append("## Run of ").append(LocalDate.now()).append("\n\n")
        .append("Machine: ").append(Machine.describe()).append("\n\n")
        .append("Command: `benchmarks/run.sh").append(arguments.isEmpty() ? "" : " " + arguments).append("`\n\n");
    md.append(tables(results));
    return md.toString();
  }

  /** One Markdown table per benchmark (and parameters other than the contender), fastest first. */
  static String tables(Collection<RunResult> results) {
    StringBuilder md = new StringBuilder();
    Map<String, List<RunResult>> byBenchmark = new LinkedHashMap<>();
    for (RunResult result : results) {
      String key = result.getParams().getBenchmark() + " (" + result.getParams().getThreads() + " thread"
          + (result.getParams().getThreads() == 1 ? ")" : "s)") + otherParams(result);
      byBenchmark.computeIfAbsent(key, k -> new ArrayList<>()).add(result);
    }
    byBenchmark.forEach((name, runs) -> {
      runs.sort(Comparator.comparingDouble(r -> r.getPrimaryResult().getScore()));
      double ballast = runs.stream().filter(r -> "ballast".equals(contender(r)))
          .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst().orElse(Double.NaN);
      md.append("### ").append(name.replace("dev.ballast.benchmarks.", "")).append("\n\n")
          .append("| contender | time/op | ± error | B/op | × ballast |\n|---|---:|---:|---:|---:|\n");
      for (RunResult run : runs) {
        Result<?> primary = run.getPrimaryResult();
        md.append(String.format(Locale.ROOT, "| %s | %.1f %s | %.1f | %s | %s |%n",
            contender(run), primary.getScore(), primary.getScoreUnit(), primary.getScoreError(),
            allocation(run), Double.isNaN(ballast) ? "" : String.format(Locale.ROOT, "%.2f", primary.getScore() / ballast)));
      }
      md.append('\n');
    });
    return md.toString();
  }

  static String contender(RunResult run) {
    String contender = run.getParams().getParam("contender");
    return contender != null ? contender : run.getParams().getBenchmark().replaceAll(".*\\.", "");
  }

  private static String otherParams(RunResult run) {
    StringBuilder other = new StringBuilder();
    for (String key : run.getParams().getParamsKeys()) {
      if (!key.equals("contender")) {
        other.append(", ").append(key).append('=').append(run.getParams().getParam(key));
      }
    }
    return other.toString();
  }

  static String allocation(RunResult run) {
    for (Map.Entry<String, Result> entry : run.getSecondaryResults().entrySet()) {
      if (entry.getKey().endsWith("gc.alloc.rate.norm")) {
        return String.format(Locale.ROOT, "%.1f", entry.getValue().getScore());
      }
    }
    return "n/a";
  }
}
