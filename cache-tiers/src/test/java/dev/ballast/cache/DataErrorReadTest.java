package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A key of the wrong type in Redis is a bad entry of that key: a miss that repairs it, not an outage. */
@ExtendWith(RedisExtension.class)
class DataErrorReadTest {

  @Test
  void wrongTypeKeysAreRepairedByTheirFillAndDoNotOpenTheBreaker(RedisServer server) {
    RedisClient client = server.newClient();
    RedisCommands<String, String> redis = client.connect().sync();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger loads = new AtomicInteger();
    try (TieredCache<String, String> cache = TieredCache.builder("wrongtype", Codec.utf8(), Codec.utf8())
        .redis(client).meterRegistry(registry).build()) {
      for (int i = 0; i < 20; i++) {
        redis.lpush("ballast:cache:wrongtype:{bad" + i + "}:v", "a list, not an entry");
      }
      for (int i = 0; i < 20; i++) {
        assertThat(cache.get("bad" + i, key -> "v-" + key + "@" + loads.incrementAndGet())).startsWith("v-bad" + i);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(redis.type("ballast:cache:wrongtype:{bad" + i + "}:v")).as("repaired by the fill")
            .isEqualTo("string");
      }
      redis.set("ballast:cache:wrongtype:{other}:l", "x"); // harmless: shows the lease path still runs
      redis.del("ballast:cache:wrongtype:{other}:l");
      assertThat(cache.get("healthy", key -> "v-" + key)).isEqualTo("v-healthy");
      assertThat(redis.get("ballast:cache:wrongtype:{healthy}:v")).as("Redis still used").endsWith("v-healthy");
      assertThat(registry.find("ballast.redis.up").gauge().value()).as("no outage").isEqualTo(1);
      assertThat(loads).hasValue(20);
    } finally {
      client.shutdown();
    }
  }
}
