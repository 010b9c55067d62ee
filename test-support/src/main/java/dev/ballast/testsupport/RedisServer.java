package dev.ballast.testsupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Assumptions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * A real Redis server for tests, with fault injection: stop, start again on the same port, pause with
 * {@code SIGSTOP}, resume.
 *
 * <p>Most tests get one from {@link RedisExtension}. Directly:
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.launch()) {
 *   RedisClient client = redis.newClient();
 *   ...
 *   redis.pause();   // commands now time out
 *   redis.resume();
 *   redis.restart(); // same port: Lettuce clients reconnect by themselves
 * }
 * }</pre>
 *
 * <p>A launched server listens on {@code 127.0.0.1} on a free port, persists nothing unless {@link
 * Builder#appendOnly()} is set, writes its output to a log in its own temp dir (quoted when it fails to
 * start) and is killed by a shutdown hook if the JVM exits with it still running. The executable is the
 * {@code redis-server} on {@code PATH}, else the one shipped in the {@code embedded-redis} jar; the system
 * property {@code ballast.redis.binary} forces {@code path}, {@code embedded} or an explicit file.
 *
 * <p>A server named by {@code REDIS_URL} ({@link #fromEnvironment()}, {@link #external(String)}) is
 * {@linkplain #isExternal() external}: this JVM does not own it, so the fault methods throw {@link
 * UnsupportedOperationException} and {@link #close()} leaves it running.
 *
 * <p>Methods are thread-safe.
 */
public interface RedisServer extends AutoCloseable {

  /** The environment variable naming an external server, e.g. {@code redis://localhost:6379}. */
  String REDIS_URL = "REDIS_URL";

  /**
   * Returns the external server named by {@code REDIS_URL} if that variable is set, else launches a local
   * one with default options. This is how {@link RedisExtension#shared()} gets its server.
   *
   * @throws IllegalStateException if no server can be launched
   */
  static RedisServer fromEnvironment() {
    return ExternalRedisServer.fromEnvironment(System.getenv());
  }

  /**
   * Launches a local server with default options (no persistence), ignoring {@code REDIS_URL}.
   *
   * @throws IllegalStateException if it does not start; the message ends with the server's last log lines
   */
  static RedisServer launch() {
    return builder().launch();
  }

  /** Returns a builder for a local server with options. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a handle on a server this JVM does not own; nothing is checked or connected here.
   *
   * @param uri a Lettuce URI such as {@code redis://host:6379}
   * @throws IllegalArgumentException if {@code uri} cannot be parsed
   */
  static RedisServer external(String uri) {
    return new ExternalRedisServer(uri);
  }

  /** Returns the host to connect to. */
  String host();

  /** Returns the port to connect to; a local server keeps it across {@link #stop()} and {@link #start()}. */
  int port();

  /** Returns the URI to connect to, e.g. {@code redis://127.0.0.1:6379}. */
  String uri();

  /** Returns true for a server this JVM does not own (named by {@code REDIS_URL}). */
  boolean isExternal();

  /** Returns true while the process is up, paused or not; always true for an external server. */
  boolean isRunning();

  /** Returns true between {@link #pause()} and {@link #resume()}. */
  boolean isPaused();

  /**
   * Stops the server gracefully ({@code SIGTERM}, resuming it first if paused) and waits for it to exit;
   * does nothing if it is already stopped. Without {@link Builder#appendOnly()} its data is lost.
   *
   * @throws UnsupportedOperationException if the server is external
   */
  void stop();

  /**
   * Kills the server at once ({@code SIGKILL}, paused or not), as a crash or a lost machine would: no
   * shutdown, no final fsync; waits for the process to be gone. Does nothing if it is already stopped.
   * {@link #start()} brings it back on the same port with the same directory (a cluster node keeps its
   * {@code nodes.conf}, an append-only server its AOF up to the last fsync).
   *
   * @throws UnsupportedOperationException if the server is external
   */
  void kill();

  /**
   * Starts a stopped server again on the same port and waits until it answers {@code PING}.
   *
   * @throws IllegalStateException if it is running, closed, or cannot start (e.g. the port was taken)
   * @throws UnsupportedOperationException if the server is external
   */
  void start();

  /**
   * {@link #stop()} then {@link #start()}.
   *
   * @throws UnsupportedOperationException if the server is external
   */
  void restart();

  /**
   * Freezes the process with {@code SIGSTOP}: connections stay open but nothing is answered, as with a
   * server stuck in a long GC-like stall or a network black hole. Does nothing if already paused.
   *
   * @throws IllegalStateException if the server is stopped
   * @throws UnsupportedOperationException if the server is external
   */
  void pause();

  /**
   * Thaws a paused process with {@code SIGCONT}; does nothing if it is not paused.
   *
   * @throws UnsupportedOperationException if the server is external
   */
  void resume();

  /**
   * Deletes every key in every database ({@code FLUSHALL}).
   *
   * @throws IllegalStateException if the server is stopped or paused
   */
  void flushAll();

  /**
   * Returns a new Lettuce client for this server, tuned for tests: 2 s command timeout (applied to async
   * and reactive commands too), 1 s connect timeout, reconnect attempts every 100 ms. The caller shuts it
   * down; all such clients share one set of Lettuce threads for the life of the JVM.
   */
  default RedisClient newClient() {
    return TestClients.create(uri());
  }

  /**
   * Returns the running server's version, from {@code INFO server}.
   *
   * @throws io.lettuce.core.RedisException if the server does not answer
   */
  default RedisVersion version() {
    try (RedisClient client = newClient();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      String info = connection.sync().info("server");
      int at = info.indexOf("redis_version:");
      if (at < 0) {
        throw new IllegalStateException("INFO server of " + host() + ":" + port() + " has no redis_version");
      }
      return RedisVersion.parse(info.substring(at + "redis_version:".length()));
    }
  }

  /**
   * Skips the calling test (a JUnit assumption) unless this server is {@code minimum} or newer, with a
   * message naming the feature and both versions: the suite must pass on the embedded 6.2 binary of a
   * fresh machine, so a test of a newer server's feature skips there instead of failing.
   *
   * @param minimum e.g. {@code "7.0"}
   * @param feature what the test needs, e.g. {@code "sharded pub/sub (SPUBLISH)"}
   */
  default void assumeVersionAtLeast(String minimum, String feature) {
    RedisVersion found = version();
    Assumptions.assumeTrue(found.atLeast(minimum),
        () -> feature + " needs Redis " + minimum + " or newer; this server is " + found
            + ": skipped (install a current redis-server on PATH or set REDIS_URL to run it)");
  }

  /** Stops a local server and deletes its temp dir; idempotent. Leaves an external server alone. */
  @Override
  void close();

  /**
   * Options for a local server. Each option may be set once; a second call throws {@link
   * IllegalStateException}.
   */
  final class Builder {

    /** Directives this class manages itself and so refuses to take from callers. */
    private static final Set<String> MANAGED =
        Set.of("port", "bind", "dir", "daemonize", "save", "appendonly", "appendfsync", "logfile");

    private boolean appendOnly;
    private boolean debugCommand;
    private final Map<String, String> config = new LinkedHashMap<>();
    private String binary;
    private IntSupplier ports;
    private boolean sentinel;

    private Builder() {}

    /**
     * Persists every write to an append-only file, fsynced before the write is acknowledged, in the
     * server's own temp dir, so data written before {@link #stop()} is there after {@link #start()}.
     *
     * @throws IllegalStateException if already set
     */
    public Builder appendOnly() {
      if (appendOnly) {
        throw new IllegalStateException("appendOnly() is already set");
      }
      appendOnly = true;
      return this;
    }

    /**
     * Allows the {@code DEBUG} command (e.g. {@code DEBUG SLEEP} to slow every call). Redis 7 refuses it
     * unless started with {@code enable-debug-command}, a directive Redis 6 does not know and exits on;
     * this adds the directive only when the binary is 7 or newer, so one test runs on both.
     *
     * @throws IllegalStateException if already set
     */
    public Builder debugCommand() {
      if (debugCommand) {
        throw new IllegalStateException("debugCommand() is already set");
      }
      debugCommand = true;
      return this;
    }

    /**
     * Adds a {@code redis-server} directive, e.g. {@code config("notify-keyspace-events", "KEA")}.
     *
     * @throws IllegalArgumentException if {@code name} is blank or one this class manages (port, bind,
     *     dir, daemonize, save, appendonly, appendfsync, logfile, enable-debug-command)
     * @throws IllegalStateException if {@code name} was already given
     */
    public Builder config(String name, String value) {
      Objects.requireNonNull(value, "value");
      String key = Objects.requireNonNull(name, "name").strip().toLowerCase(Locale.ROOT);
      key = key.startsWith("--") ? key.substring(2) : key;
      if (key.isEmpty()) {
        throw new IllegalArgumentException("config name is blank");
      }
      if (MANAGED.contains(key) || key.equals("enable-debug-command")) {
        throw new IllegalArgumentException(
            "config '" + key + "' is managed by RedisServer and cannot be set (see appendOnly() and"
                + " debugCommand())");
      }
      if (config.putIfAbsent(key, value) != null) {
        throw new IllegalStateException("config '" + key + "' is already set to " + config.get(key));
      }
      return this;
    }

    /** Chooses the executable as {@code ballast.redis.binary} would, overriding that property. */
    Builder binary(String spec) {
      binary = OptionRules.once(binary, spec, "binary");
      return this;
    }

    /** Replaces the free-port finder, so tests can hand out a taken port first. */
    Builder ports(IntSupplier chooser) {
      if (ports != null) {
        throw new IllegalStateException("ports is already set");
      }
      ports = Objects.requireNonNull(chooser, "chooser");
      return this;
    }

    /** Runs the binary as a Sentinel ({@code --sentinel}, with its own rewritable config file). */
    Builder sentinel() {
      if (sentinel) {
        throw new IllegalStateException("sentinel() is already set");
      }
      sentinel = true;
      return this;
    }

    /** Returns an immutable snapshot of these options. */
    LaunchOptions options() {
      return new LaunchOptions(
          appendOnly, debugCommand, sentinel, config, binary, ports != null ? ports : FreePorts::pick);
    }

    /**
     * Launches the server and waits until it answers {@code PING} (up to 10 s).
     *
     * @throws IllegalStateException if it does not start; the message ends with its last log lines
     */
    public RedisServer launch() {
      return LocalRedisServer.launch(options());
    }
  }
}
