package dev.ballast.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's raw data as JSON, embedded in the HTML ({@code <script type="application/json" id="data">})
 * so that anyone (and the test) can read the measured series without scraping the charts.
 */
final class ReportData {

  private ReportData() {}

  static String toJson(DemoSettings settings, Scenario scenario, RunResult without, RunResult with) {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> setup = new LinkedHashMap<>();
    setup.put("deadlineMillis", settings.deadline().toMillis());
    setup.put("clientThreads", settings.clientThreads());
    setup.put("warmUpSeconds", scenario.warmUp().duration().toMillis() / 1000.0);
    List<Map<String, Object>> phases = new ArrayList<>();
    for (Phase phase : scenario.phases()) {
      phases.add(Map.of("name", phase.name(), "seconds", phase.duration().toMillis() / 1000.0,
          "requestsPerSecond", phase.requestsPerSecond(), "databaseDown", phase.databaseDown()));
    }
    setup.put("phases", phases);
    root.put("scenario", setup);
    root.put("runs", List.of(run(without), run(with)));
    try {
      return Html.jsonForScript(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> run(RunResult run) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("label", run.label());
    json.put("withBallast", run.withBallast());
    json.put("phaseStartSeconds", run.phaseStartSeconds());
    List<Map<String, Object>> phases = new ArrayList<>();
    for (PhaseResult p : run.phases()) {
      Map<String, Object> phase = new LinkedHashMap<>();
      phase.put("name", p.name());
      phase.put("requests", p.requests());
      phase.put("p50Millis", p.p50Millis());
      phase.put("p95Millis", p.p95Millis());
      phase.put("p99Millis", p.p99Millis());
      phase.put("errorRatio", p.errorRatio());
      phase.put("degradedRatio", p.degradedRatio());
      phase.put("databaseCalls", p.databaseCalls());
      phase.put("cacheHitRatio", p.cacheHitRatio());
      phase.put("writesDeferred", p.writesDeferred());
      phase.put("jobsWaiting", p.jobsWaiting());
      phase.put("oldestJobMillis", p.oldestJobMillis());
      phase.put("switchboard", p.switchboard());
      phase.put("meetsSlo", p.meetsSlo());
      phase.put("errorCauses", p.errorCauses());
      phases.add(phase);
    }
    json.put("phases", phases);
    List<Map<String, Object>> seconds = new ArrayList<>();
    for (SecondResult s : run.seconds()) {
      Map<String, Object> second = new LinkedHashMap<>();
      second.put("second", s.second());
      second.put("requests", s.requests());
      second.put("p95Millis", s.p95Millis());
      second.put("errorRatio", s.errorRatio());
      second.put("databaseCalls", s.databaseCalls());
      second.put("serveCached", s.serveCached());
      seconds.add(second);
    }
    json.put("seconds", seconds);
    List<Map<String, Object>> flips = new ArrayList<>();
    for (FlipLog.Flip f : run.flips()) {
      Map<String, Object> flip = new LinkedHashMap<>();
      flip.put("atSeconds", f.atSeconds());
      flip.put("switch", f.switchId());
      flip.put("degraded", f.degraded());
      flip.put("label", f.label());
      flip.put("who", f.who());
      flip.put("why", f.why());
      flips.add(flip);
    }
    json.put("flips", flips);
    List<Map<String, Object>> searches = new ArrayList<>();
    for (SearchResult s : run.searches()) {
      Map<String, Object> search = new LinkedHashMap<>();
      search.put("name", s.name());
      search.put("requests", s.requests());
      search.put("goodputPerSecond", s.goodputPerSecond());
      search.put("errors", s.errors());
      search.put("shed", s.shed());
      search.put("shedP95Millis", s.shedP95Millis());
      search.put("refusalP50Millis", s.refusalP50Millis());
      search.put("refusalP95Millis", s.refusalP95Millis());
      search.put("refusalP99Millis", s.refusalP99Millis());
      search.put("retryAfterMillis", s.retryAfterMillis());
      search.put("answeredP95Millis", s.answeredP95Millis());
      search.put("limit", s.limit());
      search.put("heldTargets", s.heldTargets());
      searches.add(search);
    }
    json.put("searches", searches);
    JobStats jobs = run.jobs();
    json.put("jobs", Map.of("enqueued", jobs.enqueued(), "processed", jobs.processed(), "dead", jobs.dead(),
        "waiting", jobs.waiting(), "failedAttempts", jobs.failedAttempts(), "noneLost", jobs.noneLost()));
    JobStats writes = run.deferredWrites();
    json.put("deferredWrites", Map.of("deferred", writes.enqueued(), "applied", writes.processed(), "dead",
        writes.dead(), "waiting", writes.waiting(), "failedAttempts", writes.failedAttempts(), "noneLost",
        writes.noneLost()));
    return json;
  }
}
