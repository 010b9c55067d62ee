package dev.ballast.examples;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the demo prints: the introduction, a progress line a second, the flips as they happen, a
 * table per run, the summary comparing the runs, and the plain verdict on the SLO. The only class besides
 * {@link Demo} that writes to the console (printing is this example application's job). Every line fits
 * in {@link #WIDTH} characters: longer text is wrapped at spaces, its continuation indented.
 *
 * <p>One convention for every figure: a request counts in the second (and phase) in which it was
 * scheduled, with its latency from that moment, wherever it is shown (progress lines, tables, report).
 */
final class ConsoleReport {

  /** The widest line printed (a path or a word longer than this is never cut). */
  static final int WIDTH = 110;

  private static final String ROW = "  %-15s %5s %7s %7s %7s %7s %8s %8s %5s %8s %5s";
  private static final String SEARCH_ROW = "  %-15s %5s %9s %6s %5s %8s %11s %11s %11s %12s %5s";
  private static final String PROGRESS = "  %3d s  %-15s %5d req  p95 %6s ms  errors %5.1f %%  db %4d/s  jobs %3d"
      + "  writes %3d%s";

  private final PrintStream out;

  ConsoleReport(PrintStream out) {
    this.out = out;
  }

  void intro(DemoSettings settings, Scenario scenario, String redis, URI operatorPage, String operatorToken) {
    line("Ballast demo: a storefront (two instances) through a " + settings.spikeFactor()
        + "x spike and a database outage, without and with Ballast");
    line("  Redis: " + redis);
    line("  operator page: " + operatorPage + "  token " + operatorToken + "  (switches; /metrics)");
    StringBuilder phases = new StringBuilder();
    for (Phase phase : scenario.phases()) {
      phases.append(phases.length() == 0 ? "" : " | ").append(phase.name()).append(' ')
          .append(phase.requestsPerSecond()).append(" req/s ").append(phase.duration().toSeconds()).append(" s");
    }
    line("  phases: " + phases + "; " + scenario.warmUp().duration().toSeconds() + " s warm-up first");
    line("  SLO: p95 < 300 ms and errors < 0.5 %; a response after " + settings.deadline().toMillis()
        + " ms counts as an error");
    line("  Every figure counts a request in the second it was scheduled in, its latency from then (open "
        + "loop), in the progress lines as in the tables and the report. A progress line: that second's "
        + "requests, their p95 and errors (printed once they have finished), database calls during it, "
        + "confirmation jobs and deferred writes waiting at its end.");
  }

  void runStarts(String label) {
    out.println();
    line("== " + label + " ==");
  }

  /**
   * The progress line of one second.
   *
   * @param second 1 for the first
   * @param requests the requests scheduled in that second
   * @param unfinished how many of them had not finished when the line was printed (over the deadline)
   * @param allSent whether the driver had sent them all; if not (a loaded machine left it behind the
   *     clock), more are still to come and the line says so with a {@code +}
   */
  void progress(int second, Phase phase, Slice requests, long unfinished, boolean allSent, Timeline.Sample sample) {
    String late = unfinished == 0 && allSent ? "" : "  (" + unfinished + (allSent ? "" : "+") + " unfinished)";
    line(String.format(Locale.ROOT, PROGRESS, second, phase.name(), requests.requests() + unfinished,
        ms(requests.percentileMillis(95)), 100 * requests.errorRatio(), sample.databaseCalls(), sample.jobsWaiting(),
        sample.writesWaiting(), late));
  }

  /** The switchboard's state, when it differs from the last one printed. */
  void switchboard(String state) {
    line("  switchboard: " + state);
  }

  void flip(FlipLog.Flip flip) {
    line(String.format(Locale.ROOT, "  >> %5.1f s  %s by %s: %s", flip.atSeconds(), flip.label(), flip.who(),
        flip.why()));
  }

  void settling(String switchboard) {
    line("  after the warm-up the switchboard is degraded (" + switchboard + "): a cold start's first "
        + "requests were slow; more warm-up until it steps back");
  }

  void draining(JobStats jobs, JobStats writes) {
    line("  draining the job queues: " + jobs.waiting() + " confirmations and " + writes.waiting()
        + " deferred writes waiting");
  }

  void runTable(RunResult run) {
    out.println();
    line(run.label() + ":");
    line(String.format(Locale.ROOT, ROW, "phase", "req", "p50 ms", "p95 ms", "p99 ms", "errors", "degraded",
        "db calls", "cache", "deferred", "jobs"));
    for (PhaseResult p : run.phases()) {
      line(String.format(Locale.ROOT, ROW, p.name(), p.requests(), ms(p.p50Millis()), ms(p.p95Millis()),
          ms(p.p99Millis()), percent(p.errorRatio()), percent(p.degradedRatio()), p.databaseCalls(),
          percent0(p.cacheHitRatio()), p.writesDeferred(), p.jobsWaiting()));
    }
    for (PhaseResult p : run.phases()) {
      if (!p.switchboard().equals("-") || p.oldestJobMillis() > 0) {
        line("    at the end of " + p.name() + ": switchboard " + p.switchboard()
            + (p.oldestJobMillis() > 0 ? "; oldest job waiting " + p.oldestJobMillis() + " ms" : ""));
      }
    }
    for (PhaseResult p : run.phases()) {
      if (!p.errorCauses().isEmpty()) {
        line("    errors in " + p.name() + ": " + causes(p.errorCauses()));
      }
    }
    JobStats jobs = run.jobs();
    line("    jobs: " + jobs.enqueued() + " enqueued, " + jobs.processed() + " processed, " + jobs.dead()
        + " dead, " + jobs.waiting() + " waiting, " + jobs.failedAttempts() + " failed attempts"
        + (jobs.noneLost() ? ": none lost" : ": NOT ALL ACCOUNTED FOR"));
    if (run.withBallast()) {
      JobStats writes = run.deferredWrites();
      line("    deferred writes: " + writes.enqueued() + " deferred, " + writes.processed() + " applied, "
          + writes.dead() + " dead, " + writes.waiting() + " waiting, " + writes.failedAttempts() + " failed attempts"
          + (writes.noneLost() ? ": none lost" : ": NOT ALL ACCOUNTED FOR"));
    }
    searchTable(run);
  }

  /**
   * The uncached search's table: goodput (answered within the deadline), errors, searches shed by the
   * limiter with how long the refusal took (p95 from the scheduled start, as every figure, and p95 and p99 in
   * the service alone, from the call's start on its request thread) and the retry-after it carried (median),
   * the answered searches' p95, and the limit per instance at the phase's end.
   */
  private void searchTable(RunResult run) {
    if (run.searches().isEmpty()) {
      return;
    }
    out.println();
    line(run.label() + ", search (uncached, " + (run.withBallast() ? "@ConcurrencyLimit(\"search\")" : "no limit")
        + "; not in the table above):");
    line(String.format(Locale.ROOT, SEARCH_ROW, "phase", "req", "goodput/s", "errors", "shed", "shed p95",
        "refusal p95", "refusal p99", "retry-after", "answered p95", "limit"));
    for (SearchResult s : run.searches()) {
      line(String.format(Locale.ROOT, SEARCH_ROW, s.name(), s.requests(), String.format(Locale.ROOT, "%.1f",
          s.goodputPerSecond()), s.errors(), s.shed(), s.shed() == 0 ? "-" : fineMs(s.shedP95Millis()),
          s.shed() == 0 ? "-" : fineMs(s.refusalP95Millis()), s.shed() == 0 ? "-" : fineMs(s.refusalP99Millis()),
          s.shed() == 0 ? "-" : ms(s.retryAfterMillis()),
          ms(s.answeredP95Millis()), s.limit()));
    }
    line("    (ms; shed: from the scheduled start, as every figure; refusal: in the service alone, from the call's "
        + "start on its request thread; retry-after: the median hint; limit: per instance at the phase's end)");
  }

  /** The last line: how long it all took, and that nothing is left running. */
  void done(double seconds) {
    line(String.format(Locale.ROOT, "Done in %.0f s; Redis, the operator page and every worker stopped.", seconds));
  }

  void summary(RunResult without, RunResult with, Path report) {
    out.println();
    line("Summary (without Ballast -> with Ballast):");
    String row = "  %-17s %17s %19s %17s %13s";
    line(String.format(Locale.ROOT, row, "phase", "p95 ms", "errors", "db calls", "cache hits"));
    for (int i = 0; i < with.phases().size(); i++) {
      PhaseResult a = without.phases().get(i);
      PhaseResult b = with.phases().get(i);
      line(String.format(Locale.ROOT, row, b.name(), ms(a.p95Millis()) + " -> " + ms(b.p95Millis()),
          percent(a.errorRatio()) + " -> " + percent(b.errorRatio()),
          a.databaseCalls() + " -> " + b.databaseCalls(),
          percent0(a.cacheHitRatio()) + " -> " + percent0(b.cacheHitRatio())));
    }
    line(String.format(Locale.ROOT, row, "all phases", "", "", without.databaseCalls() + " -> "
        + with.databaseCalls(), ""));
    out.println();
    line("SLO with Ballast (p95 < 300 ms and errors < 0.5 %):");
    for (PhaseResult p : with.phases()) {
      line("  " + SloVerdict.of(p));
    }
    searchVerdicts(without, with);
    line("Jobs (order confirmations): without Ballast " + jobs(without.jobs()) + "; with Ballast "
        + jobs(with.jobs()));
    line("Writes refused before they ran and deferred to the job queue (with Ballast): "
        + deferredWrites(with.deferredWrites()));
    out.println();
    line("Report: " + report.toAbsolutePath());
  }

  /**
   * Per phase, the search with Ballast against the targets (answered p95 under 300 ms, shed ones
   * refused within 5 ms with a retry-after), and its goodput and p95 without Ballast beside it.
   */
  private void searchVerdicts(RunResult without, RunResult with) {
    if (with.searches().isEmpty() || without.searches().size() != with.searches().size()) {
      return;
    }
    line("Search with Ballast (answered p95 < 300 ms; shed ones refused in < 5 ms (p95) by the service, with a "
        + "retry-after):");
    for (int i = 0; i < with.searches().size(); i++) {
      SearchResult a = without.searches().get(i);
      SearchResult b = with.searches().get(i);
      String shed = b.shed() == 0 ? "none shed" : b.shed() + " shed, refused in p95 " + fineMs(b.refusalP95Millis())
          + " ms (p50 " + fineMs(b.refusalP50Millis()) + ", p99 " + fineMs(b.refusalP99Millis())
          + "; from the scheduled start p95 " + fineMs(b.shedP95Millis()) + "), retry-after " + ms(b.retryAfterMillis())
          + " ms";
      line(String.format(Locale.ROOT, "  search, %s: %s (answered p95 %s ms, %s; goodput %.1f/s; without Ballast "
          + "p95 %s ms, goodput %.1f/s)", b.name(), b.heldTargets() ? "held" : "NOT held", ms(b.answeredP95Millis()),
          shed, b.goodputPerSecond(), ms(a.answeredP95Millis()), a.goodputPerSecond()));
    }
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

  /** Prints {@code text}, wrapped at spaces into lines of at most {@link #WIDTH} characters. */
  private void line(String text) {
    wrap(text).forEach(out::println);
  }

  /**
   * {@code text} as lines of at most {@link #WIDTH} characters, broken at spaces; continuation lines are
   * indented 4 more than the first. A word longer than a line (a path) gets a line of its own, uncut.
   */
  static List<String> wrap(String text) {
    int lead = 0;
    while (lead < text.length() && text.charAt(lead) == ' ') {
      lead++;
    }
    String indent = " ".repeat(lead + 4);
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder(text.substring(0, lead));
    boolean empty = true;
    for (String word : text.substring(lead).split(" ", -1)) {
      if (!empty && current.length() + 1 + word.length() > WIDTH) {
        lines.add(current.toString().stripTrailing());
        current = new StringBuilder(indent);
        empty = true;
      }
      current.append(empty ? "" : " ").append(word);
      empty = false;
    }
    lines.add(current.toString().stripTrailing());
    return lines;
  }

  /** Like {@link #ms}, with two decimals below 1 ms (a refusal takes microseconds). */
  static String fineMs(double millis) {
    return millis < 1 ? String.format(Locale.ROOT, "%.2f", millis) : ms(millis);
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
