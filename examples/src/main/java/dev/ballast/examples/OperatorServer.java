package dev.ballast.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator page, on the JDK's {@link HttpServer} (loopback only): {@code GET /} lists the
 * switchboard's switches (position, origin, who, why, since) with buttons; {@code POST
 * /switches/<id>?on=true|false} sets a switch by hand and {@code POST /switches/<id>?release=true} hands
 * it back to modes and triggers; {@code GET /metrics} is the Prometheus scrape of every meter.
 */
final class OperatorServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorServer.class);
  private static final String OPERATOR = "operator";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Supplier<Switchboard> switchboard;
  private final PrometheusMeterRegistry metrics;

  private OperatorServer(HttpServer server, ExecutorService executor, Supplier<Switchboard> switchboard,
      PrometheusMeterRegistry metrics) {
    this.server = server;
    this.executor = executor;
    this.switchboard = switchboard;
    this.metrics = metrics;
  }

  /**
   * Starts serving on 127.0.0.1.
   *
   * @param port 0 for any free port
   * @param switchboard the switchboard to show and flip now, or null while there is none
   */
  static OperatorServer start(int port, Supplier<Switchboard> switchboard, PrometheusMeterRegistry metrics)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "operator-page");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    OperatorServer operator = new OperatorServer(server, executor, switchboard, metrics);
    server.createContext("/", operator::handle);
    server.start();
    return operator;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/metrics") && method.equals("GET")) {
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      } else if (path.equals("/") && method.equals("GET")) {
        respond(exchange, 200, "text/html; charset=utf-8", OperatorPage.render(switchboard.get()));
      } else if (path.startsWith("/switches/") && method.equals("POST")) {
        flip(exchange, path.substring("/switches/".length()));
      } else if (path.equals("/") || path.equals("/metrics") || path.startsWith("/switches/")) {
        exchange.getResponseHeaders().set("Allow", path.startsWith("/switches/") ? "POST" : "GET");
        respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
      } else {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found\n");
      }
    } catch (RuntimeException e) {
      LOG.warn("operator page: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
    }
  }

  private void flip(HttpExchange exchange, String id) throws IOException {
    Switchboard board = switchboard.get();
    if (board == null) {
      respond(exchange, 409, "text/plain; charset=utf-8", "no switchboard: the run without Ballast has none\n");
      return;
    }
    String query = exchange.getRequestURI().getQuery() == null ? "" : exchange.getRequestURI().getQuery();
    try {
      SwitchName name = SwitchName.parse(id);
      if (query.equals("release=true")) {
        board.release(name, OPERATOR);
      } else if (query.equals("on=true") || query.equals("on=false")) {
        board.set(name, query.equals("on=true"), OPERATOR, "set on the operator page");
      } else {
        respond(exchange, 400, "text/plain; charset=utf-8", "expected ?on=true, ?on=false or ?release=true\n");
        return;
      }
    } catch (IllegalArgumentException e) {
      respond(exchange, 400, "text/plain; charset=utf-8", e.getMessage() + "\n");
      return;
    }
    exchange.getResponseHeaders().set("Location", "/");
    respond(exchange, 303, "text/plain; charset=utf-8", "done\n");
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
