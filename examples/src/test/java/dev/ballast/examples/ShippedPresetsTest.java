package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.cache.CacheSpec;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.Retry;
import dev.ballast.core.Timeout;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.JobQueue;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every shipped preset, with every module on the class path (as an application has them): each builds on a
 * real Redis with the components its header promises, and all five build together from one file, as a
 * team that copies several of them would write it.
 */
@ExtendWith(RedisExtension.class)
class ShippedPresetsTest {

  private RedisClient redis;
  private ConfigContext context;

  @BeforeEach
  void connect(RedisServer server) {
    redis = server.newClient();
    context = ConfigContext.builder().resource("redis", redis).build();
  }

  @AfterEach
  void disconnect() {
    redis.shutdown();
  }

  @Test
  void everyPresetBuildsWhatItsHeaderPromises() throws Exception {
    assertThat(Configuration.SHIPPED_PRESETS).hasSize(5);
    try (Registry readHeavy = Configuration.preset("read-heavy-api").buildRegistry(context);
        Registry externalApi = Configuration.preset("external-api").buildRegistry(context);
        Registry jobs = Configuration.preset("background-jobs").buildRegistry(context);
        Registry writes = Configuration.preset("write-critical").buildRegistry(context);
        Registry spikes = Configuration.preset("spike-protection").buildRegistry(context)) {
      assertThat(readHeavy.namesOf(CacheSpec.class)).containsExactly("read-heavy-api");
      for (Class<?> policy : List.of(RateLimiter.class, Retry.class, CircuitBreaker.class, Timeout.class)) {
        assertThat(externalApi.namesOf(policy)).as(policy.getSimpleName()).containsExactly("external-api");
      }
      assertThat(jobs.namesOf(JobQueue.class)).containsExactly("background-jobs");
      assertThat(writes.get("write-critical", Retry.class).config().maxAttempts()).isEqualTo(1);
      assertThat(writes.namesOf(Switchboard.class)).containsExactly("switchboard");
      assertThat(spikes.get("spike-protection", RateLimiter.class).config().capacity()).isEqualTo(1500);
      assertThat(spikes.get("switchboard", Switchboard.class).triggers()).hasSize(2);
    }
  }

  @Test
  void allFivePresetsBuildTogetherFromOneFile() throws Exception {
    try (Registry registry = Configuration.parse("""
        extends: [read-heavy-api, external-api, background-jobs, write-critical, spike-protection]
        switchboard:
          name: shop
        """, "team.yaml").buildRegistry(context)) {
      Switchboard board = registry.get("switchboard", Switchboard.class);
      assertThat(board.name()).isEqualTo("shop");
      // write-critical's mode and spike-protection's triggers merged into the one switchboard section
      assertThat(board.triggers()).hasSize(2);
      assertThat(registry.namesOf(Retry.class)).containsExactlyInAnyOrder("external-api", "write-critical");
      assertThat(registry.namesOf(JobQueue.class)).containsExactly("background-jobs");
      assertThat(registry.namesOf(CacheSpec.class)).containsExactly("read-heavy-api");
    }
  }
}
