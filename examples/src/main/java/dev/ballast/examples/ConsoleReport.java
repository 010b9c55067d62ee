package dev.ballast.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the demo prints: the introduction, a progress line a second, the flips as they happen, a
 * table per run, the summary comparing the runs, and the plain verdict on the SLO. The only class besides
 * {@link Demo} that writes to the console (printing is this example application's job).
 */
final class ConsoleReport {

  private static final String ROW = "  %-17s %6s %7s %7s %7s %7s %8s %8s %6s %8s %7s %7s  %s";

  private final PrintStream out;

  ConsoleReport(PrintStream out) {
    this.out = out;
  }

  void intro(DemoSettings settings, Scenario scenario, String redis, String operatorPage) {
    out.println("Ballast demo: a storefront (two instances) through a " + settings.spikeFactor()
        + "x spike and a database outage, without and with Ballast");
    out.println("  Redis: " + redis);
    out.println("  operator page: " + operatorPage + "  (switches; Prometheus scrape at /metrics)");
    StringBuilder phases = new StringBuilder();
    for (Phase phase : scenario.phases()) {
      phases.append(phases.length() == 0 ? "" : " | ").append(phase.name()).append(' ')
          .append(phase.requestsPerSecond()).append(" req/s ").append(phase.duration().toSeconds()).append(" s");
    }
    out.println("  phases: " + phases + "; " + scenario.warmUp().duration().toSeconds() + " s warm-up first");
    out.println("  SLO: p95 < 300 ms and errors < 0.5 %; a response after " + settings.deadline().toMillis()
        + " ms counts as an error; latency from each request's scheduled start (open loop)");
  }

  void runStarts(String label) {
    out.println();
    out.println("== " + label + " ==");
  }

  void progress(int second, Phase phase, LiveWindow.Interval live, Timeline.Sample sample, String switchboard) {
    out.println(String.format(Locale.ROOT, "  %3d s  %-16s offered %4d/s  done %4d/s  p95 %5.0f ms  errors %5.1f %%  "
        + "db %4d/s  jobs waiting %3d  deferred writes waiting %3d  switchboard: %s", second, phase.name(),
        phase.requestsPerSecond(), live.completed(), live.p95Millis(), 100 * live.errorRatio(), sample.databaseCalls(),
        sample.jobsWaiting(), sample.writesWaiting(), switchboard));
  }

  void flip(FlipLog.Flip flip) {
    out.println(String.format(Locale.ROOT, "  >> %5.1f s  %s by %s: %s", flip.atSeconds(), flip.label(), flip.who(),
        flip.why()));
  }

  void settling(String switchboard) {
    out.println("  after the warm-up the switchboard is degraded (" + switchboard + "): a cold start's first "
        + "requests were slow; more warm-up until it steps back");
  }

  void draining(JobStats jobs, JobStats writes) {
    out.println("  draining the job queues: " + jobs.waiting() + " confirmations and " + writes.waiting()
        + " deferred writes waiting");
  }

  void runTable(RunResult run) {
    out.println();
    out.println(run.label() + ":");
    out.println(String.format(Locale.ROOT, ROW, "phase", "req", "p50 ms", "p95 ms", "p99 ms", "errors", "degraded",
        "db calls", "cache", "deferred", "jobs", "oldest", "switchboard at the end"));
    for (PhaseResult p : run.phases()) {
      out.println(String.format(Locale.ROOT, ROW, p.name(), p.requests(), ms(p.p50Millis()), ms(p.p95Millis()),
          ms(p.p99Millis()), percent(p.errorRatio()), percent(p.degradedRatio()), p.databaseCalls(),
          percent0(p.cacheHitRatio()), p.writesDeferred(), p.jobsWaiting(), p.oldestJobMillis() + "ms",
          p.switchboard()));
    }
    for (PhaseResult p : run.phases()) {
      if (!p.errorCauses().isEmpty()) {
        out.println("    errors in " + p.name() + ": " + causes(p.errorCauses()));
      }
    }
    JobStats jobs = run.jobs();
    out.println("    jobs: " + jobs.enqueued() + " enqueued, " + jobs.processed() + " processed, " + jobs.dead()
        + " dead, " + jobs.waiting() + " waiting, " + jobs.failedAttempts() + " failed attempts"
        + (jobs.noneLost() ? ": none lost" : ": NOT ALL ACCOUNTED FOR"));
    if (run.withBallast()) {
      JobStats writes = run.deferredWrites();
      out.println("    deferred writes: " + writes.enqueued() + " deferred, " + writes.processed() + " applied, "
          + writes.dead() + " dead, " + writes.waiting() + " waiting, " + writes.failedAttempts() + " failed attempts"
          + (writes.noneLost() ? ": none lost" : ": NOT ALL ACCOUNTED FOR"));
    }
  }

  /** The last line: how long it all took, and that nothing is left running. */
  void done(double seconds) {
    out.println(String.format(Locale.ROOT, "Done in %.0f s; Redis, the operator page and every worker stopped.",
        seconds));
  }

  void summary(RunResult without, RunResult with, Path report) {
    out.println();
    out.println("Summary (without Ballast -> with Ballast):");
    String row = "  %-17s %17s %19s %17s %13s";
    out.println(String.format(Locale.ROOT, row, "phase", "p95 ms", "errors", "db calls", "cache hits"));
    for (int i = 0; i < with.phases().size(); i++) {
      PhaseResult a = without.phases().get(i);
      PhaseResult b = with.phases().get(i);
      out.println(String.format(Locale.ROOT, row, b.name(), ms(a.p95Millis()) + " -> " + ms(b.p95Millis()),
          percent(a.errorRatio()) + " -> " + percent(b.errorRatio()),
          a.databaseCalls() + " -> " + b.databaseCalls(),
          percent0(a.cacheHitRatio()) + " -> " + percent0(b.cacheHitRatio())));
    }
    out.println(String.format(Locale.ROOT, row, "all phases", "", "", without.databaseCalls() + " -> "
        + with.databaseCalls(), ""));
    out.println();
    out.println("SLO with Ballast (p95 < 300 ms and errors < 0.5 %):");
    for (PhaseResult p : with.phases()) {
      out.println("  " + SloVerdict.of(p));
    }
    out.println("Jobs (order confirmations): without Ballast " + jobs(without.jobs()) + "; with Ballast "
        + jobs(with.jobs()));
    out.println("Writes refused in read-only mode and deferred to the job queue (cart lines, orders; with Ballast): "
        + deferredWrites(with.deferredWrites()));
    out.println();
    out.println("Report: " + report.toAbsolutePath());
  }

  private static String jobs(JobStats jobs) {
    return jobs.enqueued() + " enqueued, " + jobs.processed() + " sent, " + jobs.dead() + " dead"
        + (jobs.noneLost() ? " (none lost)" : " (" + jobs.waiting() + " still waiting)");
  }

  static String deferredWrites(JobStats writes) {
    return writes.enqueued() + " deferred, " + writes.processed() + " applied, " + writes.dead() + " dead"
        + (writes.noneLost() ? " (none lost)" : " (" + writes.waiting() + " still waiting)");
  }

  private static String causes(Map<String, Long> causes) {
    StringBuilder text = new StringBuilder();
    causes.entrySet().stream().limit(4).forEach(e -> text.append(text.length() == 0 ? "" : "; ")
        .append(e.getValue()).append(" x ").append(e.getKey()));
    return text.toString();
  }

  static String ms(double millis) {
    return millis >= 100 ? String.format(Locale.ROOT, "%.0f", millis) : String.format(Locale.ROOT, "%.1f", millis);
  }

  static String percent(double ratio) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * ratio);
  }

  private static String percent0(double ratio) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * ratio);
  }
}
