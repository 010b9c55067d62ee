package dev.ballast.testsupport;

/**
 * The server shared by every test class of this JVM that uses {@link RedisExtension#shared()}.
 *
 * <p>Started on first use. Each JUnit engine execution holds one {@link Lease} in its root store, which
 * JUnit closes when the execution ends; the server stops when the last lease is released. A surefire fork
 * normally runs one execution, so the server lives for the fork; a test that runs a nested launcher (as
 * this module's own tests do) takes a second lease and does not stop the outer run's server.
 *
 * <p>All state is guarded by the class lock.
 */
final class SharedRedis {

  private static RedisServer server;
  private static int leases;

  private SharedRedis() {}

  /** Starts the shared server if needed and returns a lease on it. */
  static synchronized Lease acquire() {
    if (server == null) {
      server = RedisServer.fromEnvironment();
    }
    leases++;
    return new Lease(server);
  }

  private static synchronized void release() {
    if (--leases == 0) {
      RedisServer last = server;
      server = null;
      last.close();
    }
  }

  /** One engine execution's hold on the shared server; closing it releases the hold once. */
  static final class Lease implements AutoCloseable {

    private final RedisServer server;
    private boolean released;

    private Lease(RedisServer server) {
      this.server = server;
    }

    RedisServer server() {
      return server;
    }

    @Override
    public synchronized void close() {
      if (!released) {
        released = true;
        release();
      }
    }
  }
}
