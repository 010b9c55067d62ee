package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.Retry;
import dev.ballast.core.Timeout;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shipped presets that need the switchboard section: they load, build and carry their numbers. */
class PresetsTest {

  @RegisterExtension
  static final RedisExtension redis = RedisExtension.shared();

  @BeforeEach
  void emptyRedis(RedisServer server) {
    server.flushAll(); // the presets keep the default switchboard name, so tests would otherwise share state
  }

  @Test
  void writeCriticalBuildsANonRetryingWritePathAndAMaintenanceMode() throws Exception {
    try (Registry registry = Configuration.preset("write-critical").buildRegistry(ConfigContext.defaults())) {
      assertThat(registry.get("write-critical", Retry.class).config().maxAttempts()).isEqualTo(1);
      CircuitBreaker breaker = registry.get("write-critical", CircuitBreaker.class);
      assertThat(breaker.config().windowSize()).isEqualTo(100);
      assertThat(breaker.config().minimumCalls()).isEqualTo(20);
      assertThat(breaker.config().failureRateThreshold()).isEqualTo(0.5);
      assertThat(breaker.config().openDuration()).isEqualTo(Duration.ofSeconds(30));
      Timeout timeout = registry.get("write-critical", Timeout.class);
      assertThat(timeout.config().limit()).isEqualTo(Duration.ofSeconds(2));
      assertThat(timeout.config().interrupt()).isFalse();

      Switchboard board = registry.get("switchboard", Switchboard.class);
      board.enterMode("maintenance", new Reason("alice", "schema migration"));
      assertThat(board.isReadOnly()).isTrue();
      assertThat(board.isServingCached()).as("maintenance is read-only and nothing else").isFalse();
      assertThatThrownBy(() -> board.guardWrite("place-order")).isInstanceOf(ReadOnlyModeException.class);
    }
  }

  @Test
  void writeCriticalWithARedisResourceSharesReadOnlyModeAcrossTheFleet(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    ConfigContext context = ConfigContext.builder().resource("redis", client).build();
    try (Registry one = Configuration.preset("write-critical").buildRegistry(context);
        Registry two = Configuration.preset("write-critical").buildRegistry(context)) {
      one.get("switchboard", Switchboard.class).enterMode("maintenance", new Reason("alice", "failover"));
      Switchboard other = two.get("switchboard", Switchboard.class);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(other::isReadOnly);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void spikeProtectionBuildsALimiterAtOneAndAHalfTimesPeakAndFleetTriggersOnTheSeeds() throws Exception {
    try (Registry registry = Configuration.preset("spike-protection").buildRegistry(ConfigContext.defaults())) {
      RateLimiter limiter = registry.get("spike-protection", RateLimiter.class);
      assertThat(limiter.config().refillPermits()).isEqualTo(1000);
      assertThat(limiter.config().refillPeriod()).isEqualTo(Duration.ofSeconds(1));
      assertThat(limiter.config().capacity()).isEqualTo(1500);
      assertThat(limiter.config().maxWait()).isEqualTo(Duration.ZERO);

      Switchboard board = registry.get("switchboard", Switchboard.class);
      Map<String, Trigger> triggers = byName(board);
      Trigger slow = triggers.get("slow-reads");
      assertThat(slow.signal().description()).isEqualTo("p95 latency ms");
      assertThat(slow.enterThreshold()).isEqualTo(300.0);
      assertThat(slow.exitThreshold()).isEqualTo(200.0);
      assertThat(slow.minDwell()).isEqualTo(Duration.ofSeconds(30));
      assertThat(slow.scope()).isEqualTo(Trigger.Scope.FLEET);
      assertThat(slow.settings()).isEqualTo(Map.of(SwitchName.SERVE_CACHED, true));
      Trigger failing = triggers.get("failing-reads");
      assertThat(failing.enterThreshold()).isEqualTo(0.005);
      assertThat(failing.exitThreshold()).isEqualTo(0.0025);
      assertThat(failing.scope()).isEqualTo(Trigger.Scope.FLEET);
      assertThat(failing.settings()).isEqualTo(Map.of(SwitchName.SERVE_CACHED, true));

      assertThat(registry.namesOf(LatencyRecorder.class)).containsExactly("reads");
      assertThat(registry.namesOf(OutcomeRecorder.class)).containsExactly("reads");
      assertThat(registry.get("switchboard", BooleanSupplier.class).getAsBoolean()).isFalse();
    }
  }

  @Test
  void spikeProtectionWithARedisResourceKeepsItsStateInRedis(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    try (StatefulRedisConnection<String, String> raw = client.connect();
        Registry registry = Configuration.preset("spike-protection")
            .buildRegistry(ConfigContext.builder().resource("redis", client).build())) {
      registry.get("switchboard", Switchboard.class).degrade(SwitchName.SERVE_CACHED, new Reason("alice", "spike"));
      assertThat(raw.sync().hget("ballast:degradation:{switchboard}", "switch:serve-cached")).contains("alice");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aTeamFileExtendsSpikeProtectionWithItsOwnPeakAndAFeature() throws Exception {
    String team = """
        extends: spike-protection
        rateLimiters:
          spike-protection:
            rate: 400/s burst 600   # our peak, and 1.5 x it
        switchboard:
          name: storefront
          features: [recommendations]
          triggers:
            slow-reads:
              enterAt: 500ms
              exitAt: 350ms
        """;
    try (Registry registry = Configuration.parse(team, "team.yaml").buildRegistry(ConfigContext.defaults())) {
      RateLimiter limiter = registry.get("spike-protection", RateLimiter.class);
      assertThat(limiter.config().refillPermits()).isEqualTo(400);
      assertThat(limiter.config().capacity()).isEqualTo(600);

      Switchboard board = registry.get("switchboard", Switchboard.class);
      assertThat(board.name()).isEqualTo("storefront");
      assertThat(board.isFeatureEnabled("recommendations")).isTrue();
      assertThatThrownBy(() -> board.isFeatureEnabled("recomendations")).isInstanceOf(IllegalArgumentException.class);
      Map<String, Trigger> triggers = byName(board);
      assertThat(triggers.get("slow-reads").enterThreshold()).isEqualTo(500.0);
      assertThat(triggers.get("slow-reads").minDwell()).as("inherited").isEqualTo(Duration.ofSeconds(30));
      assertThat(triggers.get("failing-reads").enterThreshold()).as("inherited").isEqualTo(0.005);
    }
  }

  private static Map<String, Trigger> byName(Switchboard board) {
    Map<String, Trigger> triggers = new java.util.HashMap<>();
    board.triggers().forEach(t -> triggers.put(t.name(), t));
    return triggers;
  }
}
