package dev.ballast.testsupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import java.util.Objects;

/** A server this JVM does not own, named by {@code REDIS_URL}: usable, but not for fault injection. */
final class ExternalRedisServer implements RedisServer {

  private final String uri;
  private final RedisURI parsed;

  /** {@link RedisServer#fromEnvironment()} with the environment handed in, for tests. */
  static RedisServer fromEnvironment(Map<String, String> environment) {
    String url = environment.get(RedisServer.REDIS_URL);
    return url == null || url.isBlank() ? RedisServer.launch() : RedisServer.external(url.strip());
  }

  ExternalRedisServer(String uri) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.parsed = RedisURI.create(uri);
  }

  @Override
  public String host() {
    return parsed.getHost();
  }

  @Override
  public int port() {
    return parsed.getPort();
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public boolean isExternal() {
    return true;
  }

  @Override
  public boolean isRunning() {
    return true;
  }

  @Override
  public boolean isPaused() {
    return false;
  }

  @Override
  public void stop() {
    throw unsupported("stop()");
  }

  @Override
  public void kill() {
    throw unsupported("kill()");
  }

  @Override
  public void start() {
    throw unsupported("start()");
  }

  @Override
  public void restart() {
    throw unsupported("restart()");
  }

  @Override
  public void pause() {
    throw unsupported("pause()");
  }

  @Override
  public void resume() {
    throw unsupported("resume()");
  }

  @Override
  public void flushAll() {
    // Lettuce rather than raw RESP: the URI may carry a password, a database or TLS.
    try (RedisClient client = newClient();
        StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().flushall();
    }
  }

  /** Does nothing: the server belongs to whoever set {@code REDIS_URL}. */
  @Override
  public void close() {}

  private UnsupportedOperationException unsupported(String operation) {
    // host:port rather than the URI, which may hold a password.
    return new UnsupportedOperationException(
        operation + " needs a redis-server launched by this JVM, but " + host() + ":" + port()
            + " is external (REDIS_URL); fault tests should use RedisExtension.dedicated() or"
            + " RedisServer.launch()");
  }

  @Override
  public String toString() {
    return "RedisServer[external " + host() + ":" + port() + "]";
  }
}
