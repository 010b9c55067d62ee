package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's scenario, fast (phases of 1.5 to 6 s, 80 requests a second, a 5x spike), on a real Redis: run
 * once, then each test checks one aspect of its shape. The recovery phase is the longest: serve-cached
 * steps back only once the read failures at the outage's start have left the error-ratio trigger's 4 s
 * window and its 3 s dwell has passed; as the outage's low traffic replaces the spike's in that window,
 * those few failures weigh more, so one instance may engage the trigger seconds after the other.
 */
class StorefrontDemoTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  @TempDir
  static Path directory;

  private static StorefrontDemo.Runs outcome;
  private static String console;
  private static Scenario scenario;

  @BeforeAll
  static void runTheScenarioOnce(RedisServer server) throws Exception {
    DemoSettings settings = new DemoSettings(Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofMillis(500),
        80, 5, 100, Duration.ofSeconds(1), 0, directory.resolve("report.html"));
    scenario = new Scenario(new Phase("warm-up", Duration.ofMillis(500), 80, false), List.of(
        new Phase("baseline", Duration.ofMillis(1500), 80, false),
        new Phase("spike 5x", Duration.ofSeconds(2), 400, false),
        new Phase("database outage", Duration.ofMillis(2500), 80, true),
        new Phase("recovery", Duration.ofSeconds(6), 80, false)));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (DemoRedis redis = DemoRedis.on(server);
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      outcome = new StorefrontDemo(settings, redis, metrics, new ConsoleReport(out), new AtomicReference<>())
          .run(scenario);
    } finally {
      metrics.close();
    }
    console = printed.toString(StandardCharsets.UTF_8);
    System.out.println(console); // into the surefire report, to read when a test fails
  }

  @AfterAll
  static void forget() {
    outcome = null;
  }

  @Test
  void theDatabaseSeesFewerCallsWithBallastOverallAndInTheSpike() {
    assertThat(outcome.with().databaseCalls()).isLessThan(outcome.without().databaseCalls());
    PhaseResult spikeWithout = phase(outcome.without(), "spike");
    PhaseResult spikeWith = phase(outcome.with(), "spike");
    assertThat(spikeWith.databaseCalls()).isLessThan(spikeWithout.databaseCalls());
    assertThat(spikeWith.cacheHitRatio()).isGreaterThan(0.3);
    // No cache without Ballast: the ratio compares reads (by the second they were scheduled in) with queries
    // (by the phase's wall-clock window), so only the spike's backlog spilling into the next phase shows up
    // as "hits", more so on a loaded machine; the cache's hits are far above that.
    assertThat(spikeWithout.cacheHitRatio()).isLessThan(0.2);
    assertThat(spikeWith.cacheHitRatio()).isGreaterThan(spikeWithout.cacheHitRatio() + 0.2);
  }

  @Test
  void theSwitchboardServesCachedDuringTheOutageAndStepsBackInRecovery() {
    List<Double> starts = outcome.with().phaseStartSeconds();
    double recoveryStart = starts.get(3);
    List<FlipLog.Flip> serveCached = outcome.with().flips().stream()
        .filter(flip -> flip.switchId().equals("serve-cached")).toList();
    // On before the recovery: entered in the outage, or earlier when a loaded machine made the baseline slow
    // enough for the latency trigger (seen with a load average of 15 on 2 cores); on at the outage's end.
    assertThat(serveCached).as("serve-cached flips: %s", serveCached)
        .anySatisfy(flip -> {
          assertThat(flip.degraded()).isTrue();
          assertThat(flip.atSeconds()).isLessThan(recoveryStart);
        })
        .anySatisfy(flip -> {
          assertThat(flip.degraded()).isFalse();
          assertThat(flip.atSeconds()).isGreaterThanOrEqualTo(recoveryStart);
        });
    assertThat(phase(outcome.with(), "outage").switchboard()).contains("serve-cached");
    assertThat(phase(outcome.with(), "recovery").switchboard()).isEqualTo("normal");
    assertThat(phase(outcome.without(), "outage").switchboard()).isEqualTo("-");
  }

  @Test
  void duringTheOutageReadsComeFromTheCacheAndTheDatabaseIsSpared() {
    PhaseResult without = phase(outcome.without(), "outage");
    PhaseResult with = phase(outcome.with(), "outage");
    assertThat(without.errorRatio()).isGreaterThan(0.95); // every request needs the database
    // With Ballast price changes are refused and never-cached products fail (the fast test's cache is young),
    // but most product pages are answered from the cache while the database sees little more than pings.
    assertThat(with.cacheHitRatio()).isGreaterThan(0.3);
    assertThat(with.errorRatio()).isLessThan(0.75);
    assertThat(with.databaseCalls()).isLessThan(without.databaseCalls() / 2);
  }

  @Test
  void withBallastCartLinesAndOrdersAreDeferredDuringTheOutageAndAllAppliedOrDeadAfterwards() {
    PhaseResult outage = phase(outcome.with(), "outage");
    assertThat(outage.writesDeferred()).isPositive();
    assertThat(outage.errorCauses()).doesNotContainKeys("ReadOnlyModeException (cart)",
        "ReadOnlyModeException (checkout)", "ReadOnlyModeException (price)");
    JobStats writes = outcome.with().deferredWrites();
    assertThat(writes.enqueued()).isEqualTo(outcome.with().writesDeferred());
    assertThat(writes.waiting()).isZero();
    assertThat(writes.processed()).isPositive();
    assertThat(writes.processed() + writes.dead()).isEqualTo(writes.enqueued());
    // Without Ballast nothing is read-only, so nothing is deferred: the outage's writes fail with the database.
    assertThat(outcome.without().deferredWrites()).isEqualTo(JobStats.NONE);
    assertThat(phase(outcome.without(), "outage").writesDeferred()).isZero();
  }

  @Test
  void noJobIsLostInEitherRun() {
    for (RunResult run : List.of(outcome.without(), outcome.with())) {
      JobStats jobs = run.jobs();
      assertThat(jobs.enqueued()).as(run.label()).isPositive();
      assertThat(jobs.waiting()).as(run.label()).isZero();
      assertThat(jobs.processed() + jobs.dead()).as(run.label()).isEqualTo(jobs.enqueued());
    }
  }

  @Test
  void theHtmlReportEmbedsPerSecondSeriesForBothRunsAndTheFlips() throws Exception {
    String html = Files.readString(outcome.report());
    assertThat(html).contains("<svg", "p95 latency", "Did the SLO hold with Ballast?");
    Matcher data = Pattern.compile("<script type=\"application/json\" id=\"data\">(.*?)</script>", Pattern.DOTALL)
        .matcher(html);
    assertThat(data.find()).isTrue();
    JsonNode root = new ObjectMapper().readTree(data.group(1));
    JsonNode runs = root.get("runs");
    assertThat(runs).hasSize(2);
    int seconds = (int) Math.ceil(scenario.recordedLength().toMillis() / 1000.0);
    for (JsonNode run : runs) {
      assertThat(run.get("seconds")).hasSize(seconds);
      assertThat(run.get("phases")).hasSize(4);
      long requests = 0;
      for (JsonNode second : run.get("seconds")) {
        assertThat(second.get("p95Millis").isNumber()).isTrue();
        assertThat(second.get("errorRatio").asDouble()).isBetween(0.0, 1.0);
        requests += second.get("requests").asLong();
      }
      long phaseRequests = 0;
      for (JsonNode phase : run.get("phases")) {
        phaseRequests += phase.get("requests").asLong();
      }
      assertThat(requests).isEqualTo(phaseRequests).isPositive();
    }
    JsonNode writes = runs.get(1).get("deferredWrites");
    assertThat(writes.get("deferred").asLong()).isEqualTo(outcome.with().deferredWrites().enqueued()).isPositive();
    assertThat(writes.get("applied").asLong() + writes.get("dead").asLong()).isEqualTo(writes.get("deferred").asLong());
    assertThat(writes.get("noneLost").asBoolean()).isTrue();
    assertThat(runs.get(1).get("phases").get(2).get("writesDeferred").asLong()).isPositive();
    for (JsonNode run : runs) {
      assertThat(run.get("searches")).hasSize(4);
      assertThat(run.get("searches").get(1).get("requests").asLong()).isPositive();
    }
    assertThat(html).contains("with Ballast: search (uncached, <code>@ConcurrencyLimit(\"search\")</code>)");
    assertThat(runs.get(0).get("withBallast").asBoolean()).isFalse();
    assertThat(runs.get(0).get("flips")).isEmpty();
    JsonNode flips = runs.get(1).get("flips");
    assertThat(flips).anySatisfy(flip -> assertThat(flip.get("label").asText()).isEqualTo("serve-cached on"));
    assertThat(flips).anySatisfy(flip -> assertThat(flip.get("label").asText()).isEqualTo("serve-cached off"));
    String latencyChart = html.substring(html.indexOf("<svg"), html.indexOf("</svg>"));
    assertThat(latencyChart).contains("serve-cached on", "serve-cached off"); // the markers' labels
  }

  @Test
  void theConsoleShowsProgressTablesAndAVerdictPerPhase() {
    assertThat(console).contains("== without Ballast ==", "== with Ballast ==", "Summary (without Ballast -> with Ballast)",
        "SLO with Ballast (p95 < 300 ms and errors < 0.5 %):", " req  p95 ", "    deferred writes: ",
        "deferred to the job queue (with Ballast): ");
    for (PhaseResult phase : outcome.with().phases()) {
      assertThat(console).containsPattern("  " + Pattern.quote(phase.name()) + ": (held|NOT held)");
    }
  }

  @Test
  void theUncachedSearchIsReportedPerPhaseApartFromTheStorefrontsTable() {
    for (RunResult run : List.of(outcome.without(), outcome.with())) {
      assertThat(run.searches()).extracting(SearchResult::name)
          .as(run.label()).containsExactlyElementsOf(scenario.phases().stream().map(Phase::name).toList());
      long searches = run.searches().stream().mapToLong(SearchResult::requests).sum();
      long others = run.phases().stream().mapToLong(PhaseResult::requests).sum();
      // 5 % of the traffic, and not counted in the storefront's table (a shed search is not its error).
      assertThat((double) searches / (searches + others)).as(run.label()).isBetween(0.02, 0.10);
      SearchResult outage = search(run, "outage");
      assertThat(outage.errors() + outage.shed()).as("the database is down and search is uncached: %s", outage)
          .isEqualTo(outage.requests()).isPositive();
      SearchResult baseline = search(run, "baseline");
      assertThat(baseline.goodputPerSecond()).as(run.label()).isPositive();
      assertThat(baseline.answeredP95Millis()).as("a search holds a connection 70-130 ms").isGreaterThan(60);
    }
    assertThat(outcome.without().searches()).allSatisfy(s -> {
      assertThat(s.shed()).isZero();
      assertThat(s.limit()).isEqualTo("-");
    });
    assertThat(outcome.with().searches()).allSatisfy(s -> {
      assertThat(s.limit()).matches("\\d+\\+\\d+"); // one limit per instance, within its configured 1..12
      assertThat(s.limit().split("\\+")).allSatisfy(limit -> assertThat(Integer.parseInt(limit)).isBetween(1, 12));
      if (s.shed() > 0) {
        assertThat(s.retryAfterMinMillis()).as("every refusal carries a retry-after: %s", s).isPositive();
      }
    });
    assertThat(console).contains("without Ballast, search (uncached, no limit; not in the table above):",
        "with Ballast, search (uncached, @ConcurrencyLimit(\"search\"); not in the table above):",
        "Search with Ballast (answered p95 < 300 ms;");
    for (SearchResult search : outcome.with().searches()) {
      assertThat(console).containsPattern("  search, " + Pattern.quote(search.name()) + ": (held|NOT held) ");
    }
  }

  @Test
  void everyConsoleLineFitsIn110Characters() {
    assertThat(console.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(110));
  }

  @Test
  void eachProgressLineShowsWhatTheReportShowsForThatSecond() {
    // One convention: a request counts in the second it was scheduled in, on the console as in the report.
    Pattern progress = Pattern.compile("^ +(\\d+) s {2}.{15} +(\\d+) req {2}p95 +(\\S+) ms {2}errors +(\\S+) %.*");
    for (RunResult run : List.of(outcome.without(), outcome.with())) {
      String section = console.substring(console.indexOf("== " + run.label() + " =="));
      List<String> lines = section.lines().takeWhile(line -> !line.equals(run.label() + ":")).toList();
      int compared = 0;
      for (String line : lines) {
        Matcher m = progress.matcher(line);
        if (!m.matches() || line.contains("unfinished")) {
          continue;
        }
        SecondResult second = run.seconds().get(Integer.parseInt(m.group(1)) - 1);
        assertThat(Long.parseLong(m.group(2))).as(line).isEqualTo(second.requests());
        assertThat(m.group(3)).as(line).isEqualTo(ConsoleReport.ms(second.p95Millis()));
        assertThat(m.group(4)).as(line).isEqualTo(String.format(java.util.Locale.ROOT, "%.1f", 100 * second.errorRatio()));
        compared++;
      }
      assertThat(compared).as(run.label()).isGreaterThanOrEqualTo(run.seconds().size() - 2);
    }
  }

  private static SearchResult search(RunResult run, String nameContains) {
    return run.searches().stream().filter(p -> p.name().contains(nameContains)).findFirst().orElseThrow();
  }

  private static PhaseResult phase(RunResult run, String nameContains) {
    return run.phases().stream().filter(p -> p.name().contains(nameContains)).findFirst().orElseThrow();
  }
}
