package dev.ballast.cache;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisSentinelSetup;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Instances of one cache as a fleet would run them: each on its own Lettuce client (or without Redis),
 * with an admin connection to look at Redis; all closed together. The Redis is one server, a Sentinel
 * setup or a cluster ({@link TestRedis}); the admin commands are the ones all three offer. Public (in the
 * module's test jar) for the examples' combined failover test.
 */
public final class TestFleet implements AutoCloseable {

  /** Where the fleet's instances connect: one client per instance, as separate JVMs would have. */
  public interface TestRedis {
    /** A new client, given to {@code builder}; returned for shutdown. */
    AbstractRedisClient connect(TieredCacheBuilder<String, String> builder);

    /** A new admin client and its commands (the client in {@code clients}). */
    RedisClusterCommands<String, String> admin(List<AbstractRedisClient> clients);

    static TestRedis of(RedisServer server) {
      return new TestRedis() {
        @Override
        public AbstractRedisClient connect(TieredCacheBuilder<String, String> builder) {
          RedisClient client = server.newClient();
          builder.redis(client);
          return client;
        }

        @Override
        public RedisClusterCommands<String, String> admin(List<AbstractRedisClient> clients) {
          RedisClient client = server.newClient();
          clients.add(client);
          return client.connect().sync();
        }
      };
    }

    static TestRedis of(RedisSentinelSetup setup) {
      return new TestRedis() {
        @Override
        public AbstractRedisClient connect(TieredCacheBuilder<String, String> builder) {
          RedisClient client = setup.newClient();
          builder.redis(client);
          return client;
        }

        @Override
        public RedisClusterCommands<String, String> admin(List<AbstractRedisClient> clients) {
          RedisClient client = setup.newClient();
          clients.add(client);
          return client.connect().sync();
        }
      };
    }

    static TestRedis of(RedisCluster cluster) {
      return new TestRedis() {
        @Override
        public AbstractRedisClient connect(TieredCacheBuilder<String, String> builder) {
          RedisClusterClient client = cluster.newClient();
          builder.redis(client);
          return client;
        }

        @Override
        public RedisClusterCommands<String, String> admin(List<AbstractRedisClient> clients) {
          RedisClusterClient client = cluster.newClient();
          clients.add(client);
          return client.connect().sync();
        }
      };
    }
  }

  final String name;
  final RedisClusterCommands<String, String> redis;
  final List<TieredCache<String, String>> caches = new ArrayList<>();
  private final TestRedis target;
  private final List<AbstractRedisClient> clients = new ArrayList<>();

  TestFleet(RedisServer server, String name) {
    this(TestRedis.of(server), name);
  }

  public TestFleet(TestRedis target, String name) {
    this.target = target;
    this.name = name;
    this.redis = target.admin(clients);
  }

  /** A new instance; {@code withRedis}: on its own client, lenient on a loaded machine's Redis latency. */
  TieredCache<String, String> add(boolean withRedis, UnaryOperator<TieredCacheBuilder<String, String>> options) {
    TieredCacheBuilder<String, String> builder = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).ttlJitter(0);
    if (withRedis) {
      clients.add(target.connect(builder));
      builder.redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker());
    }
    TieredCache<String, String> cache = options.apply(builder).build();
    caches.add(cache);
    return cache;
  }

  /** A new instance on its own client with the cache's own Redis timeout and breaker (for outage tests). */
  public TieredCache<String, String> addStrict(UnaryOperator<TieredCacheBuilder<String, String>> options) {
    TieredCacheBuilder<String, String> builder = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).ttlJitter(0);
    clients.add(target.connect(builder));
    TieredCache<String, String> cache = options.apply(builder).build();
    caches.add(cache);
    return cache;
  }

  /** {@code size} new instances on Redis. */
  List<TieredCache<String, String>> add(int size, UnaryOperator<TieredCacheBuilder<String, String>> options) {
    List<TieredCache<String, String>> made = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      made.add(add(true, options));
    }
    return made;
  }

  /** The entry of {@code key} as stored in Redis, "" if none. */
  public String inRedis(String key) {
    String stored = redis.get("ballast:cache:" + name + ":{" + key + "}:v");
    return stored == null ? "" : stored;
  }

  @Override
  public void close() {
    caches.forEach(TieredCache::close);
    clients.forEach(AbstractRedisClient::shutdown);
  }
}
