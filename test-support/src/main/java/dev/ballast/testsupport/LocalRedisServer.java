package dev.ballast.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code redis-server} process this JVM launched and controls.
 *
 * <p>Design note: the process state ({@code process}, {@code paused}, {@code closed}) changes only in
 * methods synchronized on this object. {@link #killNow()} is not synchronized so the shutdown hook never
 * waits behind a caller stuck in {@link #stop()}; it only reads the volatile {@code process}. {@code port}
 * is fixed by the first launch and volatile so the accessors need no lock.
 */
final class LocalRedisServer implements RedisServer {

  static final String HOST = "127.0.0.1";

  private static final Logger LOG = LoggerFactory.getLogger(LocalRedisServer.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
  private static final long POLL_MILLIS = 20;
  private static final int PORT_ATTEMPTS = 5;
  private static final int LOG_TAIL_LINES = 20;

  private final LaunchOptions options;
  private final RedisBinary.Resolved binary;
  private final Path dir;
  private final ServerLog log;
  private volatile int port;
  private volatile Process process;
  private boolean paused;
  private boolean closed;

  private LocalRedisServer(LaunchOptions options, RedisBinary.Resolved binary, Path dir) {
    this.options = options;
    this.binary = binary;
    this.dir = dir;
    this.log = new ServerLog(dir.resolve("redis.log"));
  }

  /**
   * Resolves the binary, launches it on a free port and waits until it answers.
   *
   * @throws IllegalStateException if it does not start
   */
  static LocalRedisServer launch(LaunchOptions options) {
    RedisBinary.Resolved binary = RedisBinary.resolve(options.binarySpec());
    Path dir;
    try {
      dir = Files.createTempDirectory("ballast-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir for redis-server", e);
    }
    LocalRedisServer server = new LocalRedisServer(options, binary, dir);
    Reaper.track(server);
    try {
      server.launchOnFreePort();
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private synchronized void launchOnFreePort() {
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      int candidate = options.ports().getAsInt();
      if (tryLaunch(candidate)) {
        port = candidate;
        return;
      }
      LOG.debug("Port {} was taken before redis-server could bind it; trying another", candidate);
    }
    throw failure("found no free loopback port in " + PORT_ATTEMPTS + " attempts");
  }

  /**
   * Launches on {@code candidate} and waits until the new process answers. Returns false if the port
   * turned out to be taken; throws on any other failure.
   */
  private boolean tryLaunch(int candidate) {
    long mark = log.mark();
    Process started;
    try {
      started =
          new ProcessBuilder(command(candidate))
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run " + binary.executable() + " (from " + binary.origin() + ")", e);
    }
    process = started;
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      if (!started.isAlive()) {
        process = null;
        if (log.since(mark).contains("Address already in use")) {
          return false;
        }
        throw failure("exited with code " + started.exitValue() + " while starting on port " + candidate);
      }
      if (answers(candidate, started.pid())) {
        LOG.info(
            "redis-server ready on {}:{} (pid {}, {}{}, dir {})",
            HOST,
            candidate,
            started.pid(),
            binary.origin(),
            options.appendOnly() ? ", append-only" : "",
            dir);
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        started.destroyForcibly();
        process = null;
        throw failure(
            "did not answer PING on port " + candidate + " within " + READY_TIMEOUT.toSeconds() + " s");
      }
      try {
        // Poll interval that also wakes up at once if the process dies.
        started.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        started.destroyForcibly();
        process = null;
        throw new IllegalStateException("interrupted while waiting for redis-server to start", e);
      }
    }
  }

  private List<String> command(int candidate) {
    List<String> command = new ArrayList<>();
    command.add(binary.executable().toString());
    if (options.sentinel()) {
      // A Sentinel must have a config file it can rewrite (it records what it learns there), so a
      // restarted Sentinel remembers the master it monitors and the other Sentinels.
      command.addAll(List.of(sentinelConfig().toString(), "--sentinel"));
    }
    command.addAll(
        List.of(
            "--port", Integer.toString(candidate),
            "--bind", HOST,
            "--dir", dir.toString(),
            "--daemonize", "no",
            "--save", ""));
    if (options.appendOnly()) {
      command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    } else {
      command.addAll(List.of("--appendonly", "no"));
    }
    if (options.debugCommand() && binary.version().atLeast("7.0")) {
      command.addAll(List.of("--enable-debug-command", "yes"));
    }
    options.config().forEach((name, value) -> command.addAll(List.of("--" + name, value)));
    return command;
  }

  private Path sentinelConfig() {
    Path file = dir.resolve("sentinel.conf");
    try {
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file, e);
    }
    return file;
  }

  /** True if the server on {@code candidate} answers PONG and is the process we launched. */
  private static boolean answers(int candidate, long pid) {
    try (Resp resp = Resp.connect(HOST, candidate, PROBE_TIMEOUT)) {
      // A PONG alone could come from another server that won the race for this port: check the pid too.
      // A server still loading its AOF answers -LOADING, so a PONG also means the data is in.
      return "+PONG".equals(resp.call("PING"))
          && resp.call("INFO", "server").contains("process_id:" + pid + "\r");
    } catch (IOException e) {
      return false;
    }
  }

  /** Returns the last {@code lines} lines this server (across its restarts) wrote, for a failure message. */
  String logTail(int lines) {
    return log.tail(lines);
  }

  private IllegalStateException failure(String what) {
    return new IllegalStateException(
        "redis-server " + binary.executable() + " (from " + binary.origin() + ") " + what + "\n"
            + log.tail(LOG_TAIL_LINES));
  }

  @Override
  public String host() {
    return HOST;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String uri() {
    return "redis://" + HOST + ":" + port;
  }

  @Override
  public boolean isExternal() {
    return false;
  }

  @Override
  public synchronized boolean isRunning() {
    return alive();
  }

  @Override
  public synchronized boolean isPaused() {
    return paused;
  }

  @Override
  public synchronized void stop() {
    if (!alive()) {
      return;
    }
    Process running = process;
    if (paused) {
      // SIGTERM stays pending while a process is stopped: wake it so it can exit cleanly.
      paused = false;
      try {
        Signals.send(running.pid(), "CONT");
      } catch (RuntimeException e) {
        LOG.warn("Could not resume redis-server pid {} before stopping it", running.pid(), e);
      }
    }
    try {
      // SIGTERM: redis exits without an RDB snapshot (save "") and fsyncs its AOF when it has one.
      running.destroy();
      if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("redis-server pid {} ignored SIGTERM for {}; killing it", running.pid(), STOP_TIMEOUT);
        running.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.destroyForcibly();
      throw new IllegalStateException("interrupted while stopping redis-server pid " + running.pid(), e);
    } finally {
      process = null;
    }
    LOG.info("redis-server on port {} stopped", port);
  }

  @Override
  public synchronized void kill() {
    if (!alive()) {
      return;
    }
    Process running = process;
    try {
      // SIGKILL ends a paused process too: no SIGCONT needed, no shutdown code runs.
      running.destroyForcibly();
      if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "redis-server pid " + running.pid() + " survived SIGKILL for " + STOP_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing redis-server pid " + running.pid(), e);
    } finally {
      process = null;
      paused = false;
    }
    LOG.info("redis-server on port {} killed (SIGKILL)", port);
  }

  @Override
  public synchronized void start() {
    requireOpen("start()");
    if (alive()) {
      throw new IllegalStateException("redis-server is already running on port " + port);
    }
    if (!tryLaunch(port)) {
      throw failure("cannot start again: another process took port " + port + " while it was stopped");
    }
  }

  @Override
  public synchronized void restart() {
    stop();
    start();
  }

  @Override
  public synchronized void pause() {
    requireRunning("pause()");
    if (!paused) {
      Signals.send(process.pid(), "STOP");
      paused = true;
      LOG.info("redis-server on port {} paused (SIGSTOP)", port);
    }
  }

  @Override
  public synchronized void resume() {
    if (paused && alive()) {
      Signals.send(process.pid(), "CONT");
      LOG.info("redis-server on port {} resumed (SIGCONT)", port);
    }
    paused = false;
  }

  @Override
  public synchronized void flushAll() {
    requireRunning("flushAll()");
    if (paused) {
      throw new IllegalStateException(
          "redis-server on port " + port + " is paused; resume() it before flushAll()");
    }
    try (Resp resp = Resp.connect(HOST, port, READY_TIMEOUT)) {
      String reply = resp.call("FLUSHALL");
      if (!"+OK".equals(reply)) {
        throw new IllegalStateException("FLUSHALL on port " + port + " answered " + reply);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("FLUSHALL on port " + port + " failed", e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      Reaper.untrack(this);
      deleteDir();
    }
  }

  /** Returns the process id, or -1 when stopped; for tests that check nothing is left behind. */
  synchronized long pid() {
    return alive() ? process.pid() : -1;
  }

  /** Kills the process at once and deletes the temp dir; for the shutdown hook. */
  void killNow() {
    Process running = process;
    if (running != null) {
      // SIGKILL ends a paused (SIGSTOPped) process too, so no SIGCONT is needed here.
      running.destroyForcibly();
    }
    deleteDir();
  }

  /** Updates the state if the process died by itself, and says whether it is up. */
  private boolean alive() {
    Process running = process;
    if (running != null && !running.isAlive()) {
      LOG.warn(
          "redis-server on port {} exited by itself with code {}\n{}",
          port, running.exitValue(), log.tail(LOG_TAIL_LINES));
      process = null;
      paused = false;
    }
    return process != null;
  }

  private void requireOpen(String operation) {
    if (closed) {
      throw new IllegalStateException(operation + " on a closed redis-server (port " + port + ")");
    }
  }

  private void requireRunning(String operation) {
    requireOpen(operation);
    if (!alive()) {
      throw new IllegalStateException(
          operation + " needs a running redis-server, but the one on port " + port
              + " is stopped; start() it first");
    }
  }

  private void deleteDir() {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("Could not delete {}", dir, e);
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + uri() + ", pid " + (process == null ? "-" : process.pid()) + ", "
        + binary.origin() + "]";
  }
}
