package dev.ballast.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * The Redis a benchmark talks to: {@code REDIS_URL} if set, else a {@code redis-server} from {@code PATH}
 * started on a free loopback port without persistence, stopped by {@link #close()}.
 */
final class LocalRedis implements AutoCloseable {

  private final Process process;
  private final String uri;

  private LocalRedis(Process process, String uri) {
    this.process = process;
    this.uri = uri;
  }

  static LocalRedis start() throws IOException, InterruptedException {
    String external = System.getenv("REDIS_URL");
    if (external != null && !external.isBlank()) {
      return new LocalRedis(null, external);
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return new LocalRedis(p, "redis://127.0.0.1:" + port);
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  String uri() {
    return uri;
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
    }
  }
}
