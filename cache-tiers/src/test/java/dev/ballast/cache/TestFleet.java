package dev.ballast.cache;

import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Instances of one cache as a fleet would run them: each on its own Lettuce client (or without Redis),
 * with an admin connection to look at Redis; all closed together.
 */
final class TestFleet implements AutoCloseable {

  final String name;
  final RedisCommands<String, String> redis;
  final List<TieredCache<String, String>> caches = new ArrayList<>();
  private final RedisServer server;
  private final List<RedisClient> clients = new ArrayList<>();

  TestFleet(RedisServer server, String name) {
    this.server = server;
    this.name = name;
    RedisClient admin = server.newClient();
    clients.add(admin);
    this.redis = admin.connect().sync();
  }

  /** A new instance; {@code withRedis}: on its own client, lenient on a loaded machine's Redis latency. */
  TieredCache<String, String> add(boolean withRedis, UnaryOperator<TieredCacheBuilder<String, String>> options) {
    TieredCacheBuilder<String, String> builder = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).ttlJitter(0);
    if (withRedis) {
      RedisClient client = server.newClient();
      clients.add(client);
      builder.redis(client).redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker());
    }
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
  String inRedis(String key) {
    String stored = redis.get("ballast:cache:" + name + ":{" + key + "}:v");
    return stored == null ? "" : stored;
  }

  @Override
  public void close() {
    caches.forEach(TieredCache::close);
    clients.forEach(RedisClient::shutdown);
  }
}
