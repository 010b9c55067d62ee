package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import dev.ballast.redis.RedisGuard;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keys whose Redis entry holds the wrong type ({@code WRONGTYPE}) are a data problem of those keys, not a
 * Redis outage: they do not open the cache's Redis breaker, healthy keys keep being served from Redis, and
 * the wrong-type entry is a miss that the fill repairs.
 */
class WrongTypeEntriesAreMissesNotOutagesTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final AtomicInteger names = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger loads = new AtomicInteger();
  private String name;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private CircuitBreaker breaker;
  private TieredCache<String, String> cache;
  /** Another instance of the same cache (its own L1), to put entries in Redis and read them back. */
  private TieredCache<String, String> peer;

  @BeforeEach
  void setUp(RedisServer server) {
    name = "wrongtype" + names.incrementAndGet();
    client = server.newClient();
    connection = client.connect();
    redis = connection.sync();
    breaker = RedisGuard.defaultBreaker("cache:" + name, Ticker.system());
    cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).meterRegistry(registry)
        .redisCircuitBreaker(breaker).redisTimeout(Duration.ofSeconds(5)).build();
    peer = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).redisTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterEach
  void tearDown() {
    cache.close();
    peer.close();
    connection.close();
    client.shutdown();
  }

  private String valueKey(String key) {
    return "ballast:cache:" + name + ":{" + key + "}:v";
  }

  private String load(String key) {
    loads.incrementAndGet();
    return "v-" + key;
  }

  private static String neverLoad(String key) {
    throw new AssertionError("the loader was called for " + key + ": the value should have come from Redis");
  }

  private double l2Hits() {
    return registry.get("ballast.cache.tier.gets").tag("cache", name).tag("tier", "l2").tag("result", "hit").functionCounter()
        .count();
  }

  @Test
  void twentyWrongTypeKeysDoNotOpenTheRedisBreakerAndHealthyKeysStillComeFromRedis() {
    for (int i = 0; i < 20; i++) {
      redis.rpush(valueKey("bad:" + i), "not a cache entry");
    }
    for (int i = 0; i < 20; i++) {
      assertThat(cache.get("bad:" + i, this::load)).isEqualTo("v-bad:" + i);
    }
    assertThat(breaker.state()).as("Redis answered every call").isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(registry.get("ballast.redis.up").tag("component", "cache:" + name).gauge().value()).isEqualTo(1.0);
    assertThat(registry.get("ballast.redis.outages").tag("component", "cache:" + name).counter().count()).isZero();

    assertThat(peer.get("healthy", this::load)).isEqualTo("v-healthy"); // now in Redis, not in this L1
    double hitsBefore = l2Hits();
    assertThat(cache.get("healthy", WrongTypeEntriesAreMissesNotOutagesTest::neverLoad)).isEqualTo("v-healthy");
    assertThat(l2Hits()).as("an L2 hit").isEqualTo(hitsBefore + 1);
  }

  @Test
  void aWrongTypeKeyIsAMissThatTheFillRepairs() {
    redis.sadd(valueKey("k"), "a set, not a cache entry");
    assertThat(cache.get("k", this::load)).isEqualTo("v-k");
    assertThat(loads).hasValue(1);
    assertThat(redis.type(valueKey("k"))).as("the fill replaced the wrong-type entry").isEqualTo("string");
    assertThat(peer.get("k", WrongTypeEntriesAreMissesNotOutagesTest::neverLoad))
        .as("another instance reads the repaired entry from Redis").isEqualTo("v-k");
  }
}
