package dev.ballast.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Administers the servers of a local topology (cluster, Sentinel) over {@link Resp}, with bounded waits:
 * no client library, so a topology that is half up cannot make a readiness check hang on reconnects.
 */
final class Admin {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
  private static final long POLL_MILLIS = 50;

  private Admin() {}

  /** Sends one command to {@code server} and returns its reply as {@link Resp#call} does. */
  static String call(RedisServer server, String... args) {
    try (Resp resp = Resp.connect(server.host(), server.port(), CALL_TIMEOUT)) {
      return resp.call(args);
    } catch (IOException e) {
      throw new UncheckedIOException(
          String.join(" ", args) + " on " + server.host() + ":" + server.port() + " failed", e);
    }
  }

  /** Sends one command whose reply is a flat array, as {@link Resp#callList} does. */
  static List<String> callList(RedisServer server, String... args) {
    try (Resp resp = Resp.connect(server.host(), server.port(), CALL_TIMEOUT)) {
      return resp.callList(args);
    } catch (IOException e) {
      throw new UncheckedIOException(
          String.join(" ", args) + " on " + server.host() + ":" + server.port() + " failed", e);
    }
  }

  /** Sends a command that must answer {@code +OK}. */
  static void ok(RedisServer server, String... args) {
    String reply = call(server, args);
    if (!"+OK".equals(reply)) {
      throw new IllegalStateException(
          String.join(" ", args) + " on port " + server.port() + " answered " + reply);
    }
  }

  /**
   * Polls {@code problem} until it returns null (nothing wrong any more), up to {@code timeout}. A
   * failing call counts as a problem and is retried: nodes come and go during the waits this serves.
   *
   * @throws IllegalStateException naming {@code what} and the last problem if time runs out
   * @throws IllegalStateException if interrupted (the interrupt flag is kept)
   */
  static void await(String what, Duration timeout, Supplier<String> problem) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last;
    while (true) {
      try {
        last = problem.get();
      } catch (RuntimeException e) {
        last = e.toString();
      }
      if (last == null) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what + ": " + last);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /**
   * Returns {@code server}'s {@code redis_version} from {@code INFO server}, asked over {@link Resp} and
   * retried up to {@code timeout}: for a launch's log line, which must not fail the launch. (Asked through
   * Lettuce, it was the fork's first Lettuce connection when a topology test ran first: under load its 2 s
   * handshake timed out and the Sentinel setup, ready, failed to launch.)
   *
   * @throws IllegalStateException if no version comes in time
   */
  static String version(RedisServer server, Duration timeout) {
    String[] version = {""};
    await("the version of " + server.host() + ":" + server.port(), timeout, () -> {
      version[0] = field(call(server, "INFO", "server"), "redis_version");
      return version[0].isEmpty() ? "INFO server has no redis_version" : null;
    });
    return version[0];
  }

  /** Returns the value of {@code field} in an {@code INFO} or {@code CLUSTER INFO} reply, or "". */
  static String field(String info, String field) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).strip();
      }
    }
    return "";
  }
}
