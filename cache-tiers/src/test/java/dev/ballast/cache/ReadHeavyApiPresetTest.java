package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shipped {@code read-heavy-api} preset builds, carries the seeds' numbers, and can be extended. */
@ExtendWith(RedisExtension.class)
class ReadHeavyApiPresetTest {

  public interface Profiles {
    @Cached("read-heavy-api")
    String profile(String user);

    @Cached("sessions")
    String session(String id);
  }

  private RedisClient client;
  private RedisCommands<String, String> redis;
  private Registry registry;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
  }

  @AfterEach
  void tearDown() throws Exception {
    registry.close();
    client.shutdown();
  }

  private ConfigContext context() {
    return ConfigContext.builder().resource("redis", client).build();
  }

  private static void assertPresetNumbers(TieredCacheConfig config, Duration ttl) {
    assertThat(config.l1Ttl()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.ttl()).isEqualTo(ttl);
    assertThat(config.ttlJitter()).isEqualTo(0.1);
    assertThat(config.staleWhileRevalidate()).isTrue();
    assertThat(config.staleTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.maxLeaseWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.negativeTtl()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void thePresetBuildsACacheWithTheSeedsNumbersOnRedis() {
    registry = Configuration.preset("read-heavy-api").buildRegistry(context());
    CacheSpec spec = registry.get("read-heavy-api", CacheSpec.class);
    assertPresetNumbers(spec.config(), Duration.ofMinutes(15));

    AtomicInteger loads = new AtomicInteger();
    CacheSpec sessions = CacheSpec.of("sessions", c -> {});
    Profiles profiles = Wrapper.wrap(Profiles.class, new Profiles() {
      @Override
      public String profile(String user) {
        loads.incrementAndGet();
        return "profile of " + user;
      }

      @Override
      public String session(String id) {
        throw new AssertionError("not cached by the preset");
      }
    }, Registry.builder().add("read-heavy-api", spec).add("sessions", sessions).build());
    assertThat(profiles.profile("ada")).isEqualTo("profile of ada");
    assertThat(profiles.profile("ada")).isEqualTo("profile of ada");
    assertThat(loads).hasValue(1);
    TieredCache<String, Object> built = spec.cache(null, "test", registry);
    assertPresetNumbers(built.config(), Duration.ofMinutes(15));
    long pttl = redis.pttl("ballast:cache:read-heavy-api:{ada}:v");
    // Kept for ttl + staleWhileRevalidate (20 min), less up to 10 % jitter.
    assertThat(pttl).isBetween(Duration.ofMinutes(18).toMillis(), Duration.ofMinutes(20).toMillis());
    sessions.close();
  }

  @Test
  void aTeamFileExtendsThePresetOverridesTheTtlAndAddsACache() {
    registry = Configuration.parse("""
        extends: read-heavy-api
        caches:
          read-heavy-api:
            ttl: 5m
          sessions:
            ttl: 1m
            redis: false
        """, "team.yaml").buildRegistry(context());
    assertPresetNumbers(registry.get("read-heavy-api", CacheSpec.class).config(), Duration.ofMinutes(5));
    TieredCacheConfig sessions = registry.get("sessions", CacheSpec.class).config();
    assertThat(sessions.ttl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(sessions.negativeTtl()).as("not inherited: another entry").isEqualTo(Duration.ZERO);
  }
}
