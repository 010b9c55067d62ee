package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import io.lettuce.core.cluster.RedisClusterClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read contract ({@link ReadContractSuite}) on a Redis Cluster (3 masters, 3 replicas): every instance
 * is given its own {@code RedisClusterClient}; invalidation is sharded on 7.x, classic on 6.2.
 */
class ReadContractClusterTest extends ReadContractSuite {

  @RegisterExtension static final RedisClusterExtension cluster = RedisClusterExtension.create();

  private RedisCluster redisCluster;

  @BeforeEach
  void connect(RedisCluster cluster) {
    this.redisCluster = cluster;
    setUp(TestFleet.TestRedis.of(cluster));
  }

  @Test
  void getAllReadsKeysOfEverySlotFromRedisInOneCall() {
    try (TestFleet fleet = new TestFleet(TestFleet.TestRedis.of(redisCluster), "bulk-slots")) {
      TieredCache<String, String> writer = fleet.add(true, b -> b);
      TieredCache<String, String> reader = fleet.add(true, b -> b);
      List<String> keys = new ArrayList<>();
      Set<RedisServer> masters = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        keys.add("key" + i);
        masters.add(redisCluster.masterForSlot(SlotHash.getSlot("ballast:cache:bulk-slots:{key" + i + "}:v")));
      }
      assertThat(masters).as("the keys span every master").hasSize(3);
      AtomicInteger loads = new AtomicInteger();
      Map<String, String> first = writer.getAll(keys, missing -> values(missing, loads));
      assertThat(loads).as("every key loaded once").hasValue(keys.size());
      Map<String, String> second = reader.getAll(keys, missing -> values(missing, loads));
      assertThat(second).isEqualTo(first);
      assertThat(loads).as("the second instance read all from Redis (MGET split per slot)").hasValue(keys.size());
      keys.forEach(k -> assertThat(fleet.inRedis(k)).endsWith("v-" + k));
    }
  }

  @Test
  void invalidateAllDeletesTheCachesEntriesOnEveryMaster() {
    try (TestFleet fleet = new TestFleet(TestFleet.TestRedis.of(redisCluster), "clear-all")) {
      TieredCache<String, String> cache = fleet.add(true, b -> b);
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        keys.add("key" + i);
        cache.put("key" + i, "v" + i);
      }
      keys.forEach(k -> assertThat(fleet.inRedis(k)).endsWith("v" + k.substring(3)));
      assertThat(cache.invalidateAll()).isEqualTo(WriteResult.APPLIED);
      // SCAN visits every master and UNLINK is split per slot: nothing of this cache is left anywhere.
      keys.forEach(k -> assertThat(fleet.inRedis(k)).as(k).isEmpty());
    }
  }

  @Test
  void aCachesSectionTakesAClusterClientAsItsRedisResource() {
    RedisClusterClient client = redisCluster.newClient();
    try (TestFleet fleet = new TestFleet(TestFleet.TestRedis.of(redisCluster), "from-config")) {
      Registry registry = Configuration.parse("""
          caches:
            from-config: { ttl: 5m }
          """, "cluster.yaml").buildRegistry(ConfigContext.builder().resource("redis", client).build());
      TieredCache<String, String> cache = registry.get("from-config", CacheSpec.class)
          .cache(String.class, "test", registry);
      assertThat(cache.get("k", k -> "loaded")).isEqualTo("loaded");
      assertThat(fleet.inRedis("k")).as("written to the cluster").endsWith("loaded");
      registry.get("from-config", CacheSpec.class).close();
    } finally {
      client.shutdown();
    }
  }

  private static Map<String, String> values(Iterable<? extends String> keys, AtomicInteger loads) {
    Map<String, String> values = new HashMap<>();
    for (String k : keys) {
      loads.incrementAndGet();
      values.put(k, "v-" + k);
    }
    return values;
  }

  @Override
  boolean runsL1Only() {
    return false;
  }
}
