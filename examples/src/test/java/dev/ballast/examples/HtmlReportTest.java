package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The HTML report from made-up runs, without running the demo: what a hostile string in the data does to
 * the embedded JSON, and how the flip markers' labels are laid out.
 */
class HtmlReportTest {

  private static final String HOSTILE = "</script><script>alert(1)</script> <!-- <script> \u2028\u2029 & >";

  private static final Scenario SCENARIO = new Scenario(new Phase("warm-up", Duration.ofSeconds(2), 100, false),
      List.of(new Phase("baseline", Duration.ofSeconds(7), 100, false),
          new Phase("spike 10x", Duration.ofSeconds(7), 1000, false),
          new Phase("database outage", Duration.ofSeconds(7), 100, true),
          new Phase("recovery", Duration.ofSeconds(8), 100, false)));

  private static final DemoSettings SETTINGS = new DemoSettings(Duration.ofSeconds(7), Duration.ofSeconds(8),
      Duration.ofSeconds(2), 100, 10, 200, Duration.ofSeconds(1), 0, Path.of("report.html"));

  @Test
  void theEmbeddedJsonCannotEndItsScriptElementNorHideItsEnd() throws Exception {
    List<FlipLog.Flip> flips = List.of(new FlipLog.Flip(14.3, "serve-cached", true, "operator", HOSTILE));
    String html = HtmlReport.render(SETTINGS, SCENARIO, run("without Ballast", false, List.of()),
        run("with Ballast", true, flips));
    int open = html.indexOf("<script type=\"application/json\" id=\"data\">");
    assertThat(open).isPositive();
    int from = open + "<script type=\"application/json\" id=\"data\">".length();
    int close = html.indexOf("</script>", from);
    String data = html.substring(from, close);
    assertThat(html.substring(close)).isEqualTo("</script></body></html>\n"); // the first "</script>" is ours
    assertThat(data).doesNotContain("</", "<!--", "<script", "\u2028", "\u2029");
    JsonNode root = new ObjectMapper().readTree(data);
    assertThat(root.get("runs").get(1).get("flips").get(0).get("why").asText()).isEqualTo(HOSTILE);
  }

  @Test
  void flipLabelsAreWholeInsideTheChartAndDoNotOverlap() {
    // The default run's shape: a mode's four switches at once, twice 7 s apart, plus flips close together.
    List<FlipLog.Flip> flips = new ArrayList<>();
    for (double at : new double[] {14.3, 21.3}) {
      boolean degraded = at < 20;
      flips.add(new FlipLog.Flip(at, "serve-cached", degraded, "trigger:database-down@b", "breaker open"));
      flips.add(new FlipLog.Flip(at + 0.01, "read-only", degraded, "trigger:database-down@b", "breaker open"));
      flips.add(new FlipLog.Flip(at + 0.02, "feature:recommendations", degraded, "trigger:database-down@b", "x"));
      flips.add(new FlipLog.Flip(at + 0.02, "feature:*", degraded, "trigger:database-down@b", "x"));
    }
    flips.add(new FlipLog.Flip(22.0, "serve-cached", true, "auto:failing-reads@a", "errors"));
    flips.add(new FlipLog.Flip(22.6, "serve-cached", false, "auto:failing-reads@a", "errors"));
    flips.add(new FlipLog.Flip(28.9, "serve-cached", true, "operator", "by hand"));
    List<SvgChart.FlipLabel> labels = new SvgChart("ms", true, 1, 10_000, 29).layOut(flips);

    assertThat(labels).hasSize(5);
    assertThat(labels.get(0).text()).isEqualTo("14.3 s: serve-cached on, read-only on, recommendations off");
    assertNoOverlapInside(labels);
    assertThat(labels).extracting(SvgChart.FlipLabel::row).contains(0, 1); // 22.0 and 22.6 cannot share a row
  }

  @Property
  void anyFlipsGetLabelsThatNeitherOverlapNorLeaveTheChart(
      @ForAll @Size(max = 30) List<@DoubleRange(min = 0, max = 29) Double> times) {
    List<FlipLog.Flip> flips = times.stream().sorted()
        .map(at -> new FlipLog.Flip(at, "serve-cached", at.intValue() % 2 == 0, "operator", "by hand")).toList();
    assertNoOverlapInside(new SvgChart("%", false, 0, 100, 29).layOut(flips));
  }

  @Test
  void theChartGrowsByTheRowsOfLabelsAndShowsEachLabelWhole() {
    List<FlipLog.Flip> flips = List.of(new FlipLog.Flip(10, "serve-cached", true, "operator", "x"),
        new FlipLog.Flip(10.5, "read-only", true, "operator", "x"));
    String svg = new SvgChart("ms", true, 1, 1000, 29).render("p95", List.of(), 300, "SLO", List.of(0.0),
        List.of("baseline"), flips, List.of());
    Matcher height = Pattern.compile("height=\"(\\d+)\"").matcher(svg);
    assertThat(height.find()).isTrue();
    assertThat(Integer.parseInt(height.group(1))).isGreaterThanOrEqualTo(300 + 2 * 16);
    assertThat(svg).contains(">10.0 s: serve-cached on<", ">10.5 s: read-only on<");
  }

  private static void assertNoOverlapInside(List<SvgChart.FlipLabel> labels) {
    for (SvgChart.FlipLabel label : labels) {
      assertThat(label.left()).as(label.text()).isGreaterThanOrEqualTo(0);
      assertThat(label.right()).as(label.text()).isLessThanOrEqualTo(SvgChart.WIDTH);
      for (SvgChart.FlipLabel other : labels) {
        if (other != label && other.row() == label.row()) {
          assertThat(other.right() <= label.left() || label.right() <= other.left())
              .as("%s overlaps %s", label, other).isTrue();
        }
      }
    }
  }

  private static RunResult run(String label, boolean withBallast, List<FlipLog.Flip> flips) {
    List<PhaseResult> phases = new ArrayList<>();
    for (Phase phase : SCENARIO.phases()) {
      phases.add(new PhaseResult(phase.name(), 700, 5, 25, 40, 0.001, 0, 300, 0.8, 0, 0, 0,
          withBallast ? "normal" : "-", Map.of("OriginSparedException", 1L)));
    }
    List<SecondResult> seconds = new ArrayList<>();
    for (int s = 0; s < 29; s++) {
      seconds.add(new SecondResult(s, 100, 20 + s, 0.001 * s, 50, false));
    }
    return new RunResult(label, withBallast, phases, List.of(0.0, 7.0, 14.0, 21.0), seconds, flips,
        new JobStats(10, 10, 0, 0, 0, 0), withBallast ? new JobStats(5, 5, 0, 0, 0, 3) : JobStats.NONE,
        List.of());
  }
}
