package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator page against a local switchboard: lists the switches, flips them, serves the scrape. */
class OperatorServerTest {

  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Switchboard> current = new AtomicReference<>();
  private final HttpClient http = HttpClient.newHttpClient(); // follows no redirects: the 303 is checked
  private Switchboard board;
  private OperatorServer server;

  @BeforeEach
  void start() throws Exception {
    board = Switchboard.builder().name("storefront").features("recommendations").meterRegistry(metrics)
        .manualSchedule().build();
    server = OperatorServer.start(0, current::get, metrics);
  }

  @AfterEach
  void stop() {
    server.close();
    board.close();
    metrics.close();
  }

  @Test
  void saysSoWhileThereIsNoSwitchboard() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("No switchboard right now");
    assertThat(post("/switches/serve-cached?on=true").statusCode()).isEqualTo(409);
  }

  @Test
  void listsEverySwitchWithItsPositionAndButtons() throws Exception {
    current.set(board);
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("id=\"serve-cached\"", "id=\"read-only\"", "id=\"feature:recommendations\"",
        "action=\"/switches/serve-cached?on=true\"", "action=\"/switches/read-only?release=true\"", "State: <b>normal</b>");
  }

  @Test
  void aButtonSetsTheSwitchByHandAndReleaseHandsItBack() throws Exception {
    current.set(board);
    HttpResponse<String> set = post("/switches/serve-cached?on=true");
    assertThat(set.statusCode()).isEqualTo(303);
    assertThat(set.headers().firstValue("Location")).hasValue("/");
    assertThat(board.isServeCached()).isTrue();
    assertThat(board.serveCached().who()).isEqualTo("operator");
    assertThat(get("/").body()).contains("State: <b>serve-cached</b>");

    assertThat(post("/switches/feature:recommendations?on=false").statusCode()).isEqualTo(303);
    assertThat(board.isFeatureEnabled("recommendations")).isFalse();

    assertThat(post("/switches/serve-cached?release=true").statusCode()).isEqualTo(303);
    assertThat(board.isServeCached()).isFalse();
  }

  @Test
  void refusesWhatItCannotDo() throws Exception {
    current.set(board);
    assertThat(post("/switches/no-such-switch?on=true").statusCode()).isEqualTo(400);
    assertThat(post("/switches/feature:reviews?on=false").statusCode()).isEqualTo(400); // undeclared feature
    assertThat(post("/switches/serve-cached?on=maybe").statusCode()).isEqualTo(400);
    assertThat(get("/switches/serve-cached").statusCode()).isEqualTo(405);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(board.isServeCached()).isFalse();
  }

  @Test
  void servesThePrometheusScrapeWithBallastMeters() throws Exception {
    current.set(board);
    board.set(SwitchName.READ_ONLY, true, "test", "scrape me");
    HttpResponse<String> scrape = get("/metrics");
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(scrape.body()).contains("ballast_degradation_switch").containsPattern(
        "ballast_degradation_switch\\{[^}]*switch=\"read-only\"[^}]*\\} 1\\.0");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    URI uri = server.uri().resolve(path);
    return http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
