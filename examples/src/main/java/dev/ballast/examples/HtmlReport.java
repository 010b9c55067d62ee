package dev.ballast.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the demo's report: one self-contained HTML file (inline CSS and SVG, no script to run, nothing
 * fetched) with the verdict, p95 and error ratio over time for both runs (phases, flips and serve-cached
 * marked), the tables, how the numbers were measured, and the raw data as a JSON block.
 */
final class HtmlReport {

  private static final String WITHOUT_COLOR = "#7f7f7f";
  private static final String WITH_COLOR = "#1f77b4";

  private HtmlReport() {}

  static Path write(Path file, DemoSettings settings, Scenario scenario, RunResult without, RunResult with)
      throws IOException {
    Path absolute = file.toAbsolutePath();
    if (absolute.getParent() != null) {
      Files.createDirectories(absolute.getParent());
    }
    Files.writeString(absolute, render(settings, scenario, without, with), StandardCharsets.UTF_8);
    return absolute;
  }

  static String render(DemoSettings settings, Scenario scenario, RunResult without, RunResult with) {
    StringBuilder html = new StringBuilder(65_536);
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ballast demo report</title>")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;")
        .append("text-align:right}td:first-child,th:first-child{text-align:left}.held{color:#2a7a2a}")
        .append(".missed{color:#b00020;font-weight:bold}.note{color:#555;font-size:90%}</style></head><body>");
    html.append("<h1>Ballast demo: a storefront through a ").append(settings.spikeFactor())
        .append("&times; spike and a database outage</h1>");
    html.append("<p class=\"note\">Generated ").append(Instant.now()).append(". Two instances of the same storefront, ")
        .append("the same simulated database, payment provider and traffic; first without Ballast, then with it. ")
        .append("Every number below was measured in this run.</p>");

    html.append("<h2>Did the SLO hold with Ballast?</h2><p>p95 under 300 ms and errors under 0.5 %, per phase:</p><ul>");
    for (PhaseResult p : with.phases()) {
      html.append("<li class=\"").append(p.meetsSlo() ? "held" : "missed").append("\">")
          .append(Html.escape(SloVerdict.of(p))).append("</li>");
    }
    html.append("</ul>");

    double total = scenario.recordedLength().toMillis() / 1000.0;
    List<String> names = scenario.phases().stream().map(Phase::name).toList();
    List<double[]> serveCached = serveCachedIntervals(with, total);
    double maxP95 = Math.max(1000, Math.max(maxP95(without), maxP95(with)));
    SvgChart latency = new SvgChart("ms", true, 1, Math.pow(10, Math.ceil(Math.log10(maxP95))), total);
    html.append("<h2>p95 latency per second</h2>").append(latency.render("p95 latency (log scale)",
        List.of(new SvgChart.Series("without Ballast", WITHOUT_COLOR, p95(without)),
            new SvgChart.Series("with Ballast", WITH_COLOR, p95(with))),
        300, "SLO: p95 300 ms", with.phaseStartSeconds(), names, with.flips(), serveCached));
    SvgChart errors = new SvgChart("%", false, 0, 100, total);
    html.append("<h2>Error ratio per second</h2>").append(errors.render("errors (% of requests)",
        List.of(new SvgChart.Series("without Ballast", WITHOUT_COLOR, errorPercent(without)),
            new SvgChart.Series("with Ballast", WITH_COLOR, errorPercent(with))),
        0.5, "SLO: 0.5 % errors", with.phaseStartSeconds(), names, with.flips(), serveCached));
    html.append("<p class=\"note\">Shaded: while serve-cached was on (with Ballast). Orange lines: the ")
        .append("switchboard's flips, from its listener. Dashed grey lines: phase boundaries.</p>");

    summary(html, without, with);
    runTable(html, without);
    runTable(html, with);
    searchTable(html, without);
    searchTable(html, with);
    flips(html, with);
    method(html, settings);
    html.append("<script type=\"application/json\" id=\"data\">\n")
        .append(ReportData.toJson(settings, scenario, without, with)).append("\n</script>");
    return html.append("</body></html>\n").toString();
  }

  private static void summary(StringBuilder html, RunResult without, RunResult with) {
    html.append("<h2>Summary: without &rarr; with Ballast</h2><table><tr><th>phase</th><th>p95 ms</th>")
        .append("<th>errors</th><th>database calls</th><th>cache hits</th></tr>");
    for (int i = 0; i < with.phases().size(); i++) {
      PhaseResult a = without.phases().get(i);
      PhaseResult b = with.phases().get(i);
      html.append("<tr><td>").append(Html.escape(b.name())).append("</td><td>").append(ConsoleReport.ms(a.p95Millis()))
          .append(" &rarr; ").append(ConsoleReport.ms(b.p95Millis())).append("</td><td>")
          .append(ConsoleReport.percent(a.errorRatio())).append(" &rarr; ").append(ConsoleReport.percent(b.errorRatio()))
          .append("</td><td>").append(a.databaseCalls()).append(" &rarr; ").append(b.databaseCalls()).append("</td><td>")
          .append(pct(a.cacheHitRatio())).append(" &rarr; ").append(pct(b.cacheHitRatio())).append("</td></tr>");
    }
    html.append("<tr><td>all phases</td><td></td><td></td><td>").append(without.databaseCalls()).append(" &rarr; ")
        .append(with.databaseCalls()).append("</td><td></td></tr></table>");
    html.append("<p>Writes refused before they ran and deferred to the job queue (cart lines, orders, price ")
        .append("changes; with Ballast): ").append(ConsoleReport.deferredWrites(with.deferredWrites())).append(".</p>");
  }

  /** The uncached search's table of one run, as the console prints it. */
  private static void searchTable(StringBuilder html, RunResult run) {
    if (run.searches().isEmpty()) {
      return;
    }
    html.append("<h2>").append(Html.escape(run.label())).append(": search (uncached")
        .append(run.withBallast() ? ", <code>@ConcurrencyLimit(\"search\")</code>" : ", no limit")
        .append(")</h2><table><tr><th>phase</th><th>requests</th><th>goodput /s</th><th>errors</th><th>shed</th>")
        .append("<th>shed p95 ms</th><th>refusal p95 ms</th><th>refusal p99 ms</th><th>retry-after ms</th>")
        .append("<th>answered p95 ms</th><th>limit</th>").append(run.withBallast() ? "<th>verdict</th>" : "")
        .append("</tr>");
    for (SearchResult s : run.searches()) {
      boolean shed = s.shed() > 0;
      html.append("<tr><td>").append(Html.escape(s.name())).append("</td><td>").append(s.requests())
          .append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.1f", s.goodputPerSecond()))
          .append("</td><td>").append(s.errors()).append("</td><td>").append(s.shed()).append("</td><td>")
          .append(shed ? ConsoleReport.fineMs(s.shedP95Millis()) : "-").append("</td><td>")
          .append(shed ? ConsoleReport.fineMs(s.refusalP95Millis()) : "-").append("</td><td>")
          .append(shed ? ConsoleReport.fineMs(s.refusalP99Millis()) : "-").append("</td><td>")
          .append(shed ? ConsoleReport.ms(s.retryAfterMillis()) : "-").append("</td><td>")
          .append(ConsoleReport.ms(s.answeredP95Millis())).append("</td><td>").append(Html.escape(s.limit()))
          .append("</td>");
      if (run.withBallast()) {
        html.append("<td class=\"").append(s.heldTargets() ? "held\">held" : "missed\">not held").append("</td>");
      }
      html.append("</tr>");
    }
    html.append("</table><p class=\"note\">Searches are left out of the tables above: a shed search is a 503 with ")
        .append("<code>Retry-After</code>, not a failed page. Shed: from the scheduled start; refusal: in the service ")
        .append("alone. Verdict: answered p95 under 300 ms, refusals under 5 ms (p95) with a retry-after.</p>");
  }

  private static void runTable(StringBuilder html, RunResult run) {
    html.append("<h2>").append(Html.escape(run.label())).append("</h2><table><tr><th>phase</th><th>requests</th>")
        .append("<th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>errors</th><th>degraded</th><th>db calls</th>")
        .append("<th>cache hits</th><th>writes deferred</th><th>jobs waiting</th><th>oldest job</th>")
        .append("<th>switchboard at the end</th></tr>");
    for (PhaseResult p : run.phases()) {
      html.append("<tr><td>").append(Html.escape(p.name())).append("</td><td>").append(p.requests()).append("</td><td>")
          .append(ConsoleReport.ms(p.p50Millis())).append("</td><td>").append(ConsoleReport.ms(p.p95Millis()))
          .append("</td><td>").append(ConsoleReport.ms(p.p99Millis())).append("</td><td>")
          .append(ConsoleReport.percent(p.errorRatio())).append("</td><td>").append(ConsoleReport.percent(p.degradedRatio()))
          .append("</td><td>").append(p.databaseCalls()).append("</td><td>").append(pct(p.cacheHitRatio()))
          .append("</td><td>").append(p.writesDeferred()).append("</td><td>").append(p.jobsWaiting()).append("</td><td>").append(p.oldestJobMillis()).append(" ms</td><td>")
          .append(Html.escape(p.switchboard())).append("</td></tr>");
    }
    html.append("</table><ul class=\"note\">");
    for (PhaseResult p : run.phases()) {
      if (!p.errorCauses().isEmpty()) {
        html.append("<li>errors in ").append(Html.escape(p.name())).append(": ");
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> cause : p.errorCauses().entrySet()) {
          parts.add(cause.getValue() + " &times; " + Html.escape(cause.getKey()));
        }
        html.append(String.join("; ", parts)).append("</li>");
      }
    }
    JobStats jobs = run.jobs();
    html.append("<li>order confirmations: ").append(jobs.enqueued()).append(" enqueued, ").append(jobs.processed())
        .append(" sent, ").append(jobs.dead()).append(" dead, ").append(jobs.waiting()).append(" waiting, ")
        .append(jobs.failedAttempts()).append(" failed attempts")
        .append(jobs.noneLost() ? " (none lost)" : " (not all accounted for)").append("</li>");
    if (run.withBallast()) {
      JobStats writes = run.deferredWrites();
      html.append("<li>writes deferred in read-only mode (cart lines, orders, price changes): ").append(writes.enqueued())
          .append(" deferred, ").append(writes.processed()).append(" applied, ").append(writes.dead())
          .append(" dead, ").append(writes.waiting()).append(" waiting, ").append(writes.failedAttempts())
          .append(" failed attempts").append(writes.noneLost() ? " (none lost)" : " (not all accounted for)")
          .append("</li>");
    } else {
      html.append("<li>writes deferred: none (no read-only mode without Ballast: writes fail with the database)</li>");
    }
    html.append("</ul>");
  }

  private static void flips(StringBuilder html, RunResult with) {
    html.append("<h2>Switchboard flips (with Ballast)</h2><ul>");
    for (FlipLog.Flip flip : with.flips()) {
      html.append("<li>").append(String.format(Locale.ROOT, "%.1f s", flip.atSeconds())).append(": <b>")
          .append(Html.escape(flip.label())).append("</b> by ").append(Html.escape(flip.who())).append(": ")
          .append(Html.escape(flip.why())).append("</li>");
    }
    if (with.flips().isEmpty()) {
      html.append("<li>none</li>");
    }
    html.append("</ul>");
  }

  private static void method(StringBuilder html, DemoSettings settings) {
    html.append("<h2>How this was measured</h2><ul class=\"note\">")
        .append("<li>Open-loop load: requests are scheduled at the phase's rate whatever the service does and run on ")
        .append(settings.clientThreads()).append(" request threads (a servlet container's usual pool); latency ")
        .append("counts from each request's scheduled start, so time spent waiting for a thread behind a slow ")
        .append("service counts.</li>")
        .append("<li>A response after ").append(settings.deadline().toMillis()).append(" ms counts as an error; ")
        .append("so does every exception reaching the client, including a product not in the cache while ")
        .append("serve-cached spares the database. A recommendations box answered by its fallback, and a checkout ")
        .append("or a price change accepted as pending in read-only mode, are degraded, not errors. With Ballast, ")
        .append("cart lines, orders and price changes refused before they ran (read-only mode, the database ")
        .append("refusing the connection) are deferred to the job queue ")
        .append("<code>writes</code> and applied once the database is back: the client sees a success (a pending ")
        .append("receipt for an order, a pending price change), and the run counts them (deferred = applied + ")
        .append("dead). A deferred price change evicts its product only when applied: until then the cache serves ")
        .append("the old price.</li>")
        .append("<li>The database has 6 connections; a query holds one for its service time (6 ms per product, ")
        .append("20 ms per recommendation query, &plusmn;30 %), callers queue for a free connection and fail after ")
        .append("500 ms. Its outage refuses every query at once.</li>")
        .append("<li>Each run starts with an unrecorded warm-up at the baseline rate (JIT, connections); with ")
        .append("Ballast each instance first reads a few products of the catalog's tail, as a readiness check ")
        .append("would, and the recorded phases start only once the switchboard is normal (a cold start's ")
        .append("first slow requests can trip the latency trigger).</li>")
        .append("<li>Requests count in the phase (and second) in which they were scheduled, in the charts, the ")
        .append("tables and the console's progress lines alike. Without Ballast, ")
        .append("requests of the spike still waiting for a thread when the outage begins fail with it: they ")
        .append("count as the spike's errors (\"connection refused\" in the spike's causes).</li>")
        .append("<li>Cache hits: the share of product reads answered in time without a product query to the ")
        .append("database (a miss refused while serve-cached spares the database is not a hit, it is an error).</li>")
        .append("<li>Without Ballast the instances call the same implementation directly; checkout queues its ")
        .append("confirmation in process (one attempt). With Ballast: the annotated interfaces wrapped with ")
        .append("<code>Wrapper.wrap</code>, their components from <code>storefront.yaml</code> (it extends the ")
        .append("spike-protection preset and copies read-heavy-api's cache, background-jobs' queue and ")
        .append("external-api's payment policies): a two-level cache and a switchboard shared through Redis, and ")
        .append("a Redis job queue with retries.</li>")
        .append("<li>Both instances, the load driver, Redis and the simulated backends share this machine's ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores.</li></ul>");
  }

  /** From the flips: when serve-cached was on, as [from, to] seconds. */
  private static List<double[]> serveCachedIntervals(RunResult run, double total) {
    List<double[]> intervals = new ArrayList<>();
    double from = Double.NaN;
    for (FlipLog.Flip flip : run.flips()) {
      if (!flip.switchId().equals("serve-cached")) {
        continue;
      }
      if (flip.degraded() && Double.isNaN(from)) {
        from = Math.max(0, flip.atSeconds());
      } else if (!flip.degraded() && !Double.isNaN(from)) {
        intervals.add(new double[] {from, flip.atSeconds()});
        from = Double.NaN;
      }
    }
    if (!Double.isNaN(from)) {
      intervals.add(new double[] {from, total});
    }
    return intervals;
  }

  private static double[] p95(RunResult run) {
    return run.seconds().stream().mapToDouble(s -> s.requests() == 0 ? Double.NaN : s.p95Millis()).toArray();
  }

  private static double[] errorPercent(RunResult run) {
    return run.seconds().stream().mapToDouble(s -> s.requests() == 0 ? Double.NaN : 100 * s.errorRatio()).toArray();
  }

  private static double maxP95(RunResult run) {
    return run.seconds().stream().mapToDouble(SecondResult::p95Millis).max().orElse(0);
  }

  private static String pct(double ratio) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * ratio);
  }
}
