package dev.ballast.examples;

import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis the demo runs on and its Lettuce client. {@link #launch()} takes {@code REDIS_URL} if set, else
 * starts {@code redis-server} from {@code PATH} on a free port, else the binary shipped in the
 * {@code embedded-redis} artifact: test-support's {@link RedisServer}, reused at compile scope by this
 * application module. The client has its own small thread pools, shut down in {@link #close()}.
 */
final class DemoRedis implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DemoRedis.class);

  private final RedisServer server;
  private final boolean ownsServer;
  private final ClientResources resources;
  private final RedisClient client;
  private final int database;

  private DemoRedis(RedisServer server, boolean ownsServer) {
    this.server = server;
    this.ownsServer = ownsServer;
    // An external Redis may hold someone's data: the demo keeps to one database of it, which it flushes.
    this.database = server.isExternal() ? Integer.getInteger("demo.redisDatabase", 15) : 0;
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    RedisURI uri = RedisURI.create(server.uri());
    uri.setDatabase(database);
    uri.setTimeout(Duration.ofSeconds(2));
    this.client = RedisClient.create(resources, uri);
  }

  /** Starts (or finds, with {@code REDIS_URL}) the demo's Redis. */
  static DemoRedis launch() {
    return new DemoRedis(RedisServer.fromEnvironment(), true);
  }

  /** Uses a server someone else owns and stops (a test's). */
  static DemoRedis on(RedisServer server) {
    return new DemoRedis(server, false);
  }

  RedisClient client() {
    return client;
  }

  /** Where it is, for the console. */
  String description() {
    return (server.isExternal() ? "REDIS_URL " + server.host() + ":" + server.port() + ", database " + database
        : "redis-server on 127.0.0.1:" + server.port() + " (started by the demo)");
  }

  /** Empties the demo's database, so a run starts cold whatever ran before. */
  void flush() {
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().flushdb();
    }
  }

  /** Shuts the client and its threads down, then stops the server if the demo started it. */
  @Override
  public void close() {
    client.shutdown();
    try {
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Lettuce's threads did not stop cleanly", e);
    } finally {
      if (ownsServer) {
        server.close();
      }
    }
  }
}
