package dev.ballast.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ballast.degradation.Reason;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
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
 *
 * <p>{@link OperatorGuard} decides who may: a request whose {@code Host} is not this server, and a change
 * from another origin or without the run's token (form field {@code token}), get a 403 that says why.
 * Pages are sent with a policy that forbids framing them (no clickjacking of the buttons) and caching them
 * (they hold the token).
 */
final class OperatorServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorServer.class);
  private static final String OPERATOR = "operator";
  private static final String TEXT = "text/plain; charset=utf-8";
  /** A form's body holds one token: anything longer is not one of ours. */
  private static final int MAX_BODY = 1024;

  private final HttpServer server;
  private final ExecutorService executor;
  private final Supplier<Switchboard> switchboard;
  private final PrometheusMeterRegistry metrics;
  private final OperatorGuard guard;

  private OperatorServer(HttpServer server, ExecutorService executor, Supplier<Switchboard> switchboard,
      PrometheusMeterRegistry metrics) {
    this.server = server;
    this.executor = executor;
    this.switchboard = switchboard;
    this.metrics = metrics;
    this.guard = new OperatorGuard(server.getAddress().getPort(), OperatorGuard.newToken());
  }

  /**
   * Starts serving on 127.0.0.1, with a new token.
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

  /** The run's token: every change must carry it (the page's forms do; print it for scripts). */
  String token() {
    return guard.token();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      String wrongHost = guard.refuseHost(exchange.getRequestHeaders().getFirst("Host"));
      if (wrongHost != null) {
        refuse(exchange, wrongHost);
      } else if (path.equals("/metrics") && method.equals("GET")) {
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      } else if (path.equals("/") && method.equals("GET")) {
        respond(exchange, 200, "text/html; charset=utf-8", OperatorPage.render(switchboard.get(), guard.token()));
      } else if (path.startsWith("/switches/") && method.equals("POST")) {
        String refused = guard.refuseChange(exchange.getRequestHeaders().getFirst("Origin"), formToken(exchange));
        if (refused != null) {
          refuse(exchange, refused);
        } else {
          flip(exchange, path.substring("/switches/".length()));
        }
      } else if (path.equals("/") || path.equals("/metrics") || path.startsWith("/switches/")) {
        exchange.getResponseHeaders().set("Allow", path.startsWith("/switches/") ? "POST" : "GET");
        respond(exchange, 405, TEXT, "method not allowed\n");
      } else {
        respond(exchange, 404, TEXT, "not found\n");
      }
    } catch (RuntimeException e) {
      LOG.warn("operator page: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
    }
  }

  private static void refuse(HttpExchange exchange, String why) throws IOException {
    LOG.debug("operator page: refused {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), why);
    respond(exchange, 403, TEXT, "403 refused: " + why + "\n");
  }

  /** The form field {@code token} of a urlencoded body of at most {@link #MAX_BODY} bytes; null if none. */
  private static String formToken(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      return null;
    }
    for (String field : new String(body, StandardCharsets.UTF_8).split("&")) {
      if (field.startsWith("token=")) {
        try {
          return URLDecoder.decode(field.substring("token=".length()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
          return null;
        }
      }
    }
    return null;
  }

  private void flip(HttpExchange exchange, String id) throws IOException {
    Switchboard board = switchboard.get();
    if (board == null) {
      respond(exchange, 409, TEXT, "no switchboard: the run without Ballast has none\n");
      return;
    }
    String query = exchange.getRequestURI().getQuery() == null ? "" : exchange.getRequestURI().getQuery();
    try {
      SwitchName name = SwitchName.parse(id);
      if (query.equals("release=true")) {
        board.release(name, OPERATOR);
      } else if (query.equals("on=true") || query.equals("on=false")) {
        // The page speaks of positions (on/off); the API of degraded and normal ones.
        Reason reason = new Reason(OPERATOR, "set on the operator page");
        if (query.equals("on=true") == name.degradedPosition()) {
          board.degrade(name, reason);
        } else {
          board.restore(name, reason);
        }
      } else {
        respond(exchange, 400, TEXT, "expected ?on=true, ?on=false or ?release=true\n");
        return;
      }
    } catch (IllegalArgumentException e) {
      respond(exchange, 400, TEXT, e.getMessage() + "\n");
      return;
    }
    exchange.getResponseHeaders().set("Location", "/");
    respond(exchange, 303, TEXT, "done\n");
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    // No framing (clickjacking), no scripts, forms post only here; not cached: the page holds the token.
    exchange.getResponseHeaders().set("Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.getResponseHeaders().set("Referrer-Policy", "same-origin"); // "no-referrer" would make a POST's Origin "null"
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
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
