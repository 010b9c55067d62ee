package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cache keys in Redis: one entry per key, never shared, and every name of a key in one cluster slot. */
@ExtendWith(RedisExtension.class)
class CacheKeysTest {

  private static final AtomicInteger NAMES = new AtomicInteger();
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
    name = "keys" + NAMES.incrementAndGet();
  }

  @AfterEach
  void tearDown() {
    client.shutdown();
  }

  private TieredCache<String, String> cache() {
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).build();
  }

  @Test
  void aKeyWithALoneSurrogateIsRefusedAndNeverReadsAnotherKeysEntry() {
    try (TieredCache<String, String> cache = cache()) {
      assertThat(cache.get("user:?", k -> "B's value")).isEqualTo("B's value");
      assertThatThrownBy(() -> cache.get("user:\uD800", k -> "A's value"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("U+D800 at index 5");
      assertThatThrownBy(() -> cache.put("user:\uD800", "A's value"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("index 5");
      assertThatThrownBy(() -> cache.invalidate("user:\uD800"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("index 5");
      assertThat(redis.keys("ballast:cache:" + name + ":*")).containsExactly("ballast:cache:" + name + ":{user:?}:v");
    }
    try (TieredCache<String, String> other = cache()) { // a fresh L1: what Redis holds
      assertThat(other.get("user:?", k -> "reloaded")).isEqualTo("B's value");
    }
  }

  @Test
  void theEmptyKeyAndKeysWithBracesGetTheirOwnEntryInOneSlot() {
    try (TieredCache<String, String> cache = cache()) {
      for (String key : new String[] {"", "}", "}user", "{}", "%7D", "a}b"}) {
        assertThat(cache.get(key, k -> "v[" + k + "]")).isEqualTo("v[" + key + "]");
      }
    }
    try (TieredCache<String, String> other = cache()) {
      for (String key : new String[] {"", "}", "}user", "{}", "%7D", "a}b"}) {
        assertThat(other.get(key, k -> "reloaded")).as("'" + key + "'").isEqualTo("v[" + key + "]");
      }
    }
    for (String stored : redis.keys("ballast:cache:" + name + ":*")) {
      String lease = stored.substring(0, stored.length() - 1) + "l";
      assertThat(SlotHash.getSlot(lease)).as(stored).isEqualTo(SlotHash.getSlot(stored));
    }
    assertThat(redis.keys("ballast:cache:" + name + ":*")).hasSize(6)
        .contains("ballast:cache:" + name + ":{%}:v", "ballast:cache:" + name + ":{%7D}:v");
  }

  @Test
  void aKeyPrefixWithABraceIsRefused() {
    assertThatThrownBy(() -> TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).keyPrefix("app{x}:")
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TieredCache.keyPrefix must not contain '{' or '}'");
  }
}
