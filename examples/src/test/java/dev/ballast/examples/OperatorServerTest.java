package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Reason;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator page against a local switchboard, through real HTTP clients: lists the switches, flips them
 * with the page's own forms, serves the scrape, and refuses what a foreign page could send (another Origin,
 * a rebinding Host, no token or a wrong one) with a 403 that says why.
 */
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
    assertThat(board.isServingCached()).isTrue();
    assertThat(board.serveCached().who()).isEqualTo("operator");
    assertThat(get("/").body()).contains("State: <b>serve-cached</b>");

    assertThat(post("/switches/feature:recommendations?on=false").statusCode()).isEqualTo(303);
    assertThat(board.isFeatureEnabled("recommendations")).isFalse();

    assertThat(post("/switches/serve-cached?release=true").statusCode()).isEqualTo(303);
    assertThat(board.isServingCached()).isFalse();
  }

  @Test
  void refusesWhatItCannotDo() throws Exception {
    current.set(board);
    assertThat(post("/switches/no-such-switch?on=true").statusCode()).isEqualTo(400);
    assertThat(post("/switches/feature:reviews?on=false").statusCode()).isEqualTo(400); // undeclared feature
    assertThat(post("/switches/serve-cached?on=maybe").statusCode()).isEqualTo(400);
    assertThat(get("/switches/serve-cached").statusCode()).isEqualTo(405);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(board.isServingCached()).isFalse();
  }

  @Test
  void servesThePrometheusScrapeWithBallastMeters() throws Exception {
    current.set(board);
    board.degrade(SwitchName.READ_ONLY, new Reason("test", "scrape me"));
    HttpResponse<String> scrape = get("/metrics");
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(scrape.body()).contains("ballast_degradation_switch").containsPattern(
        "ballast_degradation_switch\\{[^}]*switch=\"read-only\"[^}]*\\} 1\\.0");
  }

  @Test
  void thePagesOwnFormWorks() throws Exception {
    current.set(board);
    String page = get("/").body();
    Matcher form = Pattern.compile("<form method=\"post\" action=\"(/switches/read-only\\?on=true)\">"
        + "<input type=\"hidden\" name=\"token\" value=\"([^\"]+)\">").matcher(page);
    assertThat(form.find()).as(page).isTrue();
    HttpResponse<String> sent = post(form.group(1), origin(), "token=" + form.group(2));
    assertThat(sent.statusCode()).isEqualTo(303);
    assertThat(board.isReadOnly()).isTrue();
    // Opened as http://localhost:<port>/, the browser sends that origin: a loopback name and our port too.
    assertThat(post("/switches/read-only?release=true", "http://localhost:" + server.uri().getPort(),
        "token=" + form.group(2)).statusCode()).isEqualTo(303);
    assertThat(board.isReadOnly()).isFalse();
  }

  @Test
  void aPostFromAnotherOriginIsRefusedEvenWithTheToken() throws Exception {
    current.set(board);
    for (String foreign : List.of("https://evil.example", "http://127.0.0.1:1", "null",
        "http://127.0.0.1.evil.example:" + server.uri().getPort())) {
      HttpResponse<String> refused = post("/switches/read-only?on=true", foreign, "token=" + server.token());
      assertThat(refused.statusCode()).as(foreign).isEqualTo(403);
      assertThat(refused.body()).as(foreign).contains("Origin '" + foreign + "' is not this page");
    }
    assertThat(board.isReadOnly()).isFalse();
  }

  @Test
  void aRebindingHostIsRefusedForReadsAndChanges() throws Exception {
    current.set(board);
    int port = server.uri().getPort();
    String rebound = "rebind.example:" + port; // a name its owner pointed at 127.0.0.1
    assertThat(raw("GET", "/", rebound, null, "")).startsWith("HTTP/1.1 403")
        .contains("Host 'rebind.example:" + port + "' is not this page's address").doesNotContain(server.token());
    assertThat(raw("GET", "/metrics", rebound, null, "")).startsWith("HTTP/1.1 403");
    assertThat(raw("POST", "/switches/read-only?on=true", rebound, "http://" + rebound, "token=" + server.token()))
        .startsWith("HTTP/1.1 403");
    assertThat(raw("GET", "/", "127.0.0.1:" + (port == 65535 ? 1 : port + 1), null, "")).startsWith("HTTP/1.1 403");
    assertThat(board.isReadOnly()).isFalse();
    // The same request written by hand, addressed to us, goes through: the refusals are the Host's doing.
    assertThat(raw("GET", "/", "localhost:" + port, null, "")).startsWith("HTTP/1.1 200").contains(server.token());
    assertThat(raw("POST", "/switches/read-only?on=true", "127.0.0.1:" + port, null, "token=" + server.token()))
        .startsWith("HTTP/1.1 303");
    assertThat(board.isReadOnly()).isTrue();
  }

  @Test
  void aChangeWithoutTheTokenOrWithAWrongOneIsRefused() throws Exception {
    current.set(board);
    HttpResponse<String> none = post("/switches/serve-cached?on=true", origin(), "");
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.body()).contains("no token");
    HttpResponse<String> wrong = post("/switches/serve-cached?on=true", origin(), "token=" + OperatorGuard.newToken());
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).contains("wrong token");
    assertThat(post("/switches/serve-cached?on=true", null, "token=").statusCode()).isEqualTo(403);
    // A token in the query string is not the form's: it would end up in logs and histories.
    assertThat(post("/switches/serve-cached?on=true&token=" + server.token(), origin(), "").statusCode())
        .isEqualTo(403);
    assertThat(board.isServingCached()).isFalse();
    // A client without an Origin (curl, a script) that has the token may.
    assertThat(post("/switches/serve-cached?on=true", null, "token=" + server.token()).statusCode()).isEqualTo(303);
    assertThat(board.isServingCached()).isTrue();
  }

  @Test
  void eachRunHasItsOwnToken() throws Exception {
    try (OperatorServer other = OperatorServer.start(0, current::get, metrics)) {
      assertThat(other.token()).isNotEqualTo(server.token()).hasSizeGreaterThanOrEqualTo(22);
    }
  }

  @Test
  void pagesMayNotBeFramedOrCached() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("frame-ancestors 'none'");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A POST as the page's forms send it: from the page's origin, with the run's token. */
  private HttpResponse<String> post(String path) throws Exception {
    return post(path, origin(), "token=" + server.token());
  }

  private HttpResponse<String> post(String path, String origin, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      request.header("Origin", origin);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String origin() {
    return "http://127.0.0.1:" + server.uri().getPort();
  }

  /** The status line and body of a request written by hand: {@link HttpClient} will not send a foreign Host. */
  private String raw(String method, String path, String host, String origin, String body) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.uri().getPort())) {
      socket.setSoTimeout(10_000);
      byte[] content = body.getBytes(StandardCharsets.UTF_8);
      String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
          + (origin == null ? "" : "Origin: " + origin + "\r\n")
          + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + content.length
          + "\r\nConnection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return response.substring(0, response.indexOf("\r\n")) + "\n" + response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }
}
