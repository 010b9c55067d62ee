package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md lists every meter Ballast registers: after a short run of the demo (which uses every
 * module), a Prometheus scrape of its registry has each documented meter, of the documented type, under the
 * name the registry's naming convention gives it, and every Ballast meter it registers is documented.
 * Meters that exist only once their event has happened (or only in a component the demo does not build)
 * are named below with the reason.
 */
class DocumentedMetersTest {

  /** Registered on the first event of their kind, or by a component the demo does not use. */
  private static final Map<String, String> NOT_IN_EVERY_RUN = Map.ofEntries(
      Map.entry("ballast.redis.errors", "registered per kind at the kind's first error; the demo's Redis stays up"),
      Map.entry("ballast.degradation.corrupt", "registered at the first corrupt switchboard field found"),
      Map.entry("ballast.ratelimiter.keys", "keyed rate limiters only; the demo has none"),
      Map.entry("ballast.queue.handler.hung", "per job type, registered with the type's first job"),
      Map.entry("ballast.queue.processed", "per job type, registered with the type's first job"),
      Map.entry("ballast.queue.failed", "per job type, registered with the type's first job"),
      Map.entry("ballast.queue.retried", "per job type, registered with the type's first job"),
      Map.entry("ballast.queue.dead.lettered", "per job type, registered with the type's first job"),
      Map.entry("ballast.queue.handler.duration", "per job type, registered with the type's first job"),
      Map.entry("ballast.bulkhead.calls", "the storefront has no bulkhead"),
      Map.entry("ballast.bulkhead.wait", "the storefront has no bulkhead; registered only with a maxWait"),
      Map.entry("ballast.bulkhead.limit", "the storefront has no bulkhead"),
      Map.entry("ballast.bulkhead.inflight", "the storefront has no bulkhead"),
      Map.entry("ballast.throttle.calls", "the storefront calls no third party through a throttle"),
      Map.entry("ballast.throttle.probability", "the storefront calls no third party through a throttle"));

  /** The metric name of one sample line of a Prometheus scrape. */
  private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

  private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9.]+)` \\| (counter|timer|gauge) \\|");

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  @TempDir
  static Path directory;

  @Test
  void aScrapeOfTheDemoHasEveryDocumentedMeterAndNoOther(RedisServer server) throws Exception {
    Map<String, Meter.Type> documented = documentedMeters();
    assertThat(documented).as("docs/metrics.md lists meters").hasSizeGreaterThan(40);

    // Scraped while the demo runs: closing a component removes its meters, as it should.
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Map<String, Meter.Id> registered = new ConcurrentHashMap<>();
    Set<String> scraped = ConcurrentHashMap.newKeySet();
    ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();
    scraper.scheduleWithFixedDelay(() -> {
      metrics.getMeters().forEach(m -> registered.putIfAbsent(m.getId().getName(), m.getId()));
      Matcher sample = SAMPLE.matcher(metrics.scrape());
      while (sample.find()) {
        scraped.add(sample.group(1));
      }
    }, 0, 100, TimeUnit.MILLISECONDS);
    try (DemoRedis redis = DemoRedis.on(server);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
      DemoSettings settings = new DemoSettings(Duration.ofSeconds(2), Duration.ofSeconds(6),
          Duration.ofMillis(500), 80, 5, 100, Duration.ofSeconds(1), 0, directory.resolve("report.html"));
      Scenario scenario = new Scenario(new Phase("warm-up", Duration.ofMillis(300), 40, false), List.of(
          new Phase("baseline", Duration.ofMillis(1000), 40, false),
          new Phase("database outage", Duration.ofMillis(1500), 40, true),
          new Phase("recovery", Duration.ofMillis(1000), 40, false)));
      new StorefrontDemo(settings, redis, metrics, new ConsoleReport(out), new AtomicReference<>()).run(scenario);
    } finally {
      scraper.shutdown();
      assertThat(scraper.awaitTermination(30, TimeUnit.SECONDS)).as("the scraper stopped").isTrue();
      metrics.close();
    }

    List<String> missing = new ArrayList<>();
    List<String> wrongType = new ArrayList<>();
    for (Map.Entry<String, Meter.Type> meter : documented.entrySet()) {
      String name = meter.getKey();
      Meter.Id id = registered.get(name);
      if (id == null) {
        if (!NOT_IN_EVERY_RUN.containsKey(name)) {
          missing.add(name);
        }
        continue;
      }
      if (!sameType(id.getType(), meter.getValue())) {
        wrongType.add(name + " is a " + id.getType() + ", documented as " + meter.getValue());
      }
      String exported = metrics.config().namingConvention().name(name, id.getType(), id.getBaseUnit());
      if (Stream.of("", "_total", "_count").noneMatch(suffix -> scraped.contains(exported + suffix))) {
        missing.add(name + " (as " + exported + " in the scrape)");
      }
    }
    List<String> undocumented = registered.keySet().stream()
        .filter(name -> name.startsWith("ballast.") || name.startsWith("cache."))
        .filter(name -> !documented.containsKey(name)).sorted().toList();
    assertThat(missing).as("documented in docs/metrics.md but not in the demo's scrape").isEmpty();
    assertThat(wrongType).as("registered with another type than docs/metrics.md says").isEmpty();
    assertThat(undocumented).as("registered by Ballast but missing from docs/metrics.md").isEmpty();
    assertThat(NOT_IN_EVERY_RUN.keySet()).as("exceptions name documented meters").allMatch(documented::containsKey);
  }

  private static boolean sameType(Meter.Type actual, Meter.Type documented) {
    // Function counters and function timers are counters and timers to a reader of the scrape.
    return switch (actual) {
      case COUNTER -> documented == Meter.Type.COUNTER;
      case TIMER -> documented == Meter.Type.TIMER;
      case GAUGE -> documented == Meter.Type.GAUGE;
      default -> false;
    };
  }

  /** Every meter in the tables of docs/metrics.md, with its documented type. */
  static Map<String, Meter.Type> documentedMeters() throws Exception {
    Path page = Path.of("..", "docs", "metrics.md");
    if (!Files.exists(page)) {
      page = Path.of("docs", "metrics.md"); // run from the repository root
    }
    Map<String, Meter.Type> meters = new LinkedHashMap<>();
    for (String line : Files.readAllLines(page)) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        meters.put(row.group(1), Meter.Type.valueOf(row.group(2).toUpperCase(java.util.Locale.ROOT)));
      }
    }
    return meters;
  }
}
