package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.Configuration;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SwitchboardConfigTest {

  @RegisterExtension
  static final RedisExtension redis = RedisExtension.shared();

  private static final long MS = 1_000_000L;

  private static final String FULL = """
      circuitBreakers:
        payments: { countWindow: 10, minimumCalls: 5 }
      switchboard:
        name: storefront
        keyPrefix: "test:config:"
        instanceId: node-1
        features: [recommendations, reviews]
        modes:
          survival: [serve-cached, read-only, feature:recommendations]
          checkout-only: ["feature:*"]
        evaluateEvery: 2s
        refreshEvery: 10s
        redisTimeout: 500ms
        manualSchedule: true
        triggers:
          slow-reads:
            latency: { recorder: reads, percentile: 99, window: 30s }
            enterAt: 300ms
            exitAt: 200ms
            minDwell: 10s
            degrade: serve-cached
            scope: fleet
          failing-reads:
            errorRatio: { recorder: reads, window: 30s, minimumCalls: 50 }
            enterAt: 0.5%
            exitAt: 0.2%
            enterMode: survival
          payments-open:
            breakerOpen: payments
            minDwell: 0s
            degrade: feature:recommendations
          backlog:
            gauge: { meter: ballast.queue.oldest.age, tags: { queue: orders } }
            enterAt: 300
            exitAt: 60
            minDwell: 0s
            degrade: [read-only, feature:reviews]
      """;

  private final ManualTicker now = new ManualTicker(1_000 * MS);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private Registry registry;

  @AfterEach
  void close() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private Registry build(String yaml, ConfigContext context) {
    registry = Configuration.parse(yaml, "test.yaml").buildRegistry(context);
    return registry;
  }

  private ConfigContext.Builder context() {
    return ConfigContext.builder().meterRegistry(meters).ticker(now::read);
  }

  @Test
  void theFullSectionBuildsOneSwitchboardWithItsTriggersModesAndRecorders(RedisServer server) {
    RedisClient client = server.newClient();
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      Registry built = build(FULL, context().resource("redis", client).build());

      Switchboard board = built.get("switchboard", Switchboard.class);
      assertThat(board.name()).isEqualTo("storefront");
      assertThat(board.triggers()).extracting(Trigger::name)
          .containsExactly("slow-reads", "failing-reads", "payments-open", "backlog");
      Map<String, Trigger> triggers = new java.util.HashMap<>();
      board.triggers().forEach(t -> triggers.put(t.name(), t));

      Trigger slow = triggers.get("slow-reads");
      assertThat(slow.enterThreshold()).isEqualTo(300.0);
      assertThat(slow.exitThreshold()).isEqualTo(200.0);
      assertThat(slow.minDwell()).isEqualTo(Duration.ofSeconds(10));
      assertThat(slow.signal().description()).isEqualTo("p99 latency ms");
      assertThat(slow.settings()).isEqualTo(Map.of(SwitchName.SERVE_CACHED, true));
      assertThat(slow.scope()).isEqualTo(Trigger.Scope.FLEET);

      Trigger failing = triggers.get("failing-reads");
      assertThat(failing.enterThreshold()).isEqualTo(0.005);
      assertThat(failing.exitThreshold()).isEqualTo(0.002);
      assertThat(failing.minDwell()).as("default").isEqualTo(Duration.ofSeconds(30));
      assertThat(failing.scope()).as("default").isEqualTo(Trigger.Scope.LOCAL);
      assertThat(failing.settings()).as("the redefined survival mode").isEqualTo(Map.of(SwitchName.SERVE_CACHED, true,
          SwitchName.READ_ONLY, true, SwitchName.feature("recommendations"), false));

      assertThat(triggers.get("payments-open").signal().description()).isEqualTo("breaker payments open");
      assertThat(triggers.get("backlog").settings()).isEqualTo(Map.of(SwitchName.READ_ONLY, true,
          SwitchName.feature("reviews"), false));

      // the recorders, for the application to feed; the same name holds one of each kind
      assertThat(built.namesOf(LatencyRecorder.class)).containsExactly("reads");
      assertThat(built.namesOf(OutcomeRecorder.class)).containsExactly("reads");

      // the closed feature set, the modes, the spare-origin hook
      assertThatThrownBy(() -> board.feature("recomendations")).hasMessageContaining("Did you mean 'recommendations'?");
      board.enterMode("checkout-only", new Reason("alice", "test"));
      assertThat(board.isFeatureEnabled("reviews")).isFalse();
      BooleanSupplier spare = built.get("switchboard", BooleanSupplier.class);
      assertThat(spare.getAsBoolean()).isFalse();
      board.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "test"));
      assertThat(spare.getAsBoolean()).isTrue();

      // the context's Redis holds the state, under the configured prefix and name
      assertThat(raw.sync().hget("test:config:{storefront}", "mode:checkout-only")).contains("alice");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aLatencyTriggerEntersServeCachedWhenFedSlowCalls() {
    Registry built = build("""
        switchboard:
          manualSchedule: true
          triggers:
            slow-reads:
              latency: { recorder: reads, window: 10s }
              enterAt: 300ms
              exitAt: 200ms
              minDwell: 30s
              degrade: serve-cached
        """, context().build());
    Switchboard board = built.get("switchboard", Switchboard.class);
    LatencyRecorder reads = built.get("reads", LatencyRecorder.class);
    BooleanSupplier spareOrigin = built.get("switchboard", BooleanSupplier.class);

    for (int second = 0; second < 5; second++) {
      feed(reads, 100, 100);
      now.advanceNanos(1_000 * MS);
      board.evaluate();
    }
    assertThat(board.isServingCached()).isFalse();

    int seconds = 0;
    while (!board.isServingCached()) {
      feed(reads, 100, 450);
      now.advanceNanos(1_000 * MS);
      board.evaluate();
      assertThat(++seconds).as("seconds of slow calls before serve-cached").isLessThan(10);
    }
    assertThat(spareOrigin.getAsBoolean()).isTrue();
    assertThat(board.serveCached().who()).startsWith("trigger:slow-reads@");
  }

  @Test
  void fleetTriggerLeaseSetsHowLongAnEngagementLastsInRedisUnlessRenewed(RedisServer server) {
    RedisClient client = server.newClient();
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      Registry built = build("""
          circuitBreakers:
            payments: {}
          switchboard:
            name: leased
            instanceId: node-1
            manualSchedule: true
            fleetTriggerLease: 20s
            triggers:
              payments-open:
                breakerOpen: payments
                minDwell: 0s
                degrade: serve-cached
                scope: fleet
          """, context().resource("redis", client).build());
      built.get("payments", CircuitBreaker.class).forceOpen();
      built.get("switchboard", Switchboard.class).evaluate();

      List<String> time = raw.sync().time();
      long redisNow = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
      long expiry = Long.parseLong(raw.sync().hget("ballast:degradation:{leased}:leases", "auto:payments-open@node-1"));
      assertThat(expiry - redisNow).as("millis left on the lease").isBetween(15_000L, 20_000L);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aFleetTriggerLeaseThatIsZeroOrShorterThanSixRedisTimeoutsIsAnErrorAtItsLine() {
    assertError("switchboard:\n  fleetTriggerLease: 0s\n", 2, "switchboard.fleetTriggerLease", "must be longer than 0");
    assertError("switchboard:\n  redisTimeout: 1s\n  fleetTriggerLease: 2s\n", 3,
        "fleetTriggerLease (PT2S) must be at least 6 x redisTimeout (PT1S)");
    assertError("switchboard:\n  redisTimeout: 10s\n", 2, "switchboard.redisTimeout",
        "fleetTriggerLease (PT15S) must be at least 6 x redisTimeout (PT10S)");
    // Within the old bound of 3 timeouts, but a renewal cycle may take two of them every third of the lease.
    assertError("switchboard:\n  redisTimeout: 3s\n", 2, "switchboard.redisTimeout",
        "fleetTriggerLease (PT15S) must be at least 6 x redisTimeout (PT3S) = PT18S");
    assertError("switchboard:\n  fleetTriggerLeas: 20s\n", 2, "did you mean 'fleetTriggerLease'?");
  }

  @Test
  void aBreakerTriggerAndAGaugeTriggerFollowTheirSources() {
    AtomicLong backlogSeconds = new AtomicLong(0);
    Gauge.builder("ballast.queue.oldest.age", backlogSeconds, AtomicLong::get).tag("queue", "orders").register(meters);
    Registry built = build(FULL.replace("name: storefront", "name: sources"), context().build());
    Switchboard board = built.get("switchboard", Switchboard.class);

    built.get("payments", CircuitBreaker.class).forceOpen();
    backlogSeconds.set(400);
    board.evaluate();
    assertThat(board.isFeatureEnabled("recommendations")).isFalse();
    assertThat(board.isReadOnly()).isTrue();
    assertThat(board.isFeatureEnabled("reviews")).isFalse();

    built.get("payments", CircuitBreaker.class).reset();
    backlogSeconds.set(10);
    board.evaluate();
    assertThat(board.isFeatureEnabled("recommendations")).isTrue();
    assertThat(board.isReadOnly()).isFalse();
  }

  @Test
  void withoutARedisResourceTheSwitchboardIsLocalAndClosingTheRegistryClosesIt() throws Exception {
    Registry built = build("switchboard:\n  features: [reviews]\n  manualSchedule: true\n", context().build());
    Switchboard board = built.get("switchboard", Switchboard.class);
    assertThat(board.name()).as("default name").isEqualTo("switchboard");
    board.degrade(SwitchName.READ_ONLY, new Reason("alice", "local only"));
    assertThat(board.isReadOnly()).isTrue();
    assertThat(meters.find("ballast.degradation.switch").gauges()).isNotEmpty();

    built.close();
    registry = null;
    assertThat(meters.find("ballast.degradation.switch").gauges()).as("removed by close()").isEmpty();
  }

  @Test
  void aBreakerOpenTriggerNamingAnUnknownBreakerIsAnErrorAtItsLineListingTheKnownOnes() {
    assertError("""
        circuitBreakers:
          payments: {}
        switchboard:
          triggers:
            payments-open:
              breakerOpen: paymnets
              degrade: serve-cached
        """, 6, "switchboard.triggers.payments-open.breakerOpen", "No CircuitBreaker named 'paymnets'",
        "known CircuitBreaker names: [payments]");
  }

  @Test
  void degradeAndEnterModeTogetherIsAnError() {
    assertError("""
        switchboard:
          triggers:
            slow:
              latency: { recorder: reads }
              degrade: serve-cached
              enterMode: survival
        """, 6, "set degrade or enterMode, not both");
  }

  @Test
  void misspeltKeysGetSuggestions() {
    assertError("switchboard:\n  evaluteEvery: 1s\n", 2, "switchboard.evaluteEvery", "did you mean 'evaluateEvery'?");
    assertError("""
        switchboard:
          triggers:
            slow:
              latency: { recorder: reads }
              minDwel: 30s
              degrade: serve-cached
        """, 5, "did you mean 'minDwell'?");
    assertError("""
        switchboard:
          triggers:
            slow:
              latency:
                recorder: reads
                percentil: 99
              degrade: serve-cached
        """, 6, "did you mean 'percentile'?");
  }

  @Test
  void anUndeclaredFeatureInAModeOrTriggerIsAnErrorAtItsLineWithTheClosestName() {
    assertError("""
        switchboard:
          features: [recommendations, reviews]
          modes:
            calm:
              - serve-cached
              - feature:recomendations
        """, 6, "unknown feature 'recomendations'", "Did you mean 'recommendations'?");
    assertError("""
        switchboard:
          features: [reviews]
          triggers:
            slow:
              latency: { recorder: reads }
              degrade: feature:reveiws
        """, 6, "unknown feature 'reveiws'");
    assertError("switchboard:\n  modes:\n    calm: [serve-cahced]\n", 3, "switch id 'serve-cahced'");
  }

  @Test
  void otherMistakesAreReportedAtTheirLine() {
    assertError("switchboard:\n  redis: true\n", 2, "needs a RedisClient or RedisClusterClient resource named 'redis'");
    assertError("switchboard:\n  triggers:\n    slow:\n      degrade: serve-cached\n", 3, "needs a signal");
    assertError("""
        switchboard:
          triggers:
            slow:
              latency: { recorder: reads }
              errorRatio: { recorder: reads }
              degrade: serve-cached
        """, 5, "set one signal per trigger");
    assertError("""
        switchboard:
          triggers:
            slow:
              latency: { recorder: reads }
              enterAt: 300ms
              exitAt: 400ms
              degrade: serve-cached
        """, 6, "exitThreshold must be below");
    assertError("""
        switchboard:
          triggers:
            slow:
              latency: { recorder: reads }
              enterMode: panic
        """, 5, "no mode named 'panic'", "[survival]");
    assertError("""
        switchboard:
          triggers:
            open:
              breakerOpen: payments
              enterAt: 1
              degrade: serve-cached
        circuitBreakers:
          payments: {}
        """, 5, "does not apply to breakerOpen");
    assertError("""
        switchboard:
          triggers:
            a:
              latency: { recorder: reads, window: 1m }
              degrade: serve-cached
            b:
              latency: { recorder: reads, window: 10s }
              degrade: read-only
        """, 7, "recorder 'reads' already has a window of PT1M", "must agree");
    assertError("""
        switchboard:
          triggers:
            slow:
              latency: { recorder: reads }
              degrade: serve-cached
              scope: planet
        """, 6, "must be one of [local, fleet]");
  }

  @Test
  void aGaugeTriggerNeedsAMeterRegistry() {
    assertThatThrownBy(() -> build("""
        switchboard:
          triggers:
            backlog:
              gauge: { meter: ballast.queue.oldest.age }
              enterAt: 300
              exitAt: 60
              degrade: read-only
        """, ConfigContext.defaults()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("test.yaml:4:")
        .hasMessageContaining("meterRegistry");
  }

  private void assertError(String yaml, int line, String... fragments) {
    assertThatThrownBy(() -> build(yaml, context().build()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).line()).as(e.getMessage()).isEqualTo(line))
        .hasMessageStartingWith("test.yaml:" + line + ":")
        .hasMessageContainingAll(fragments);
  }

  private static void feed(LatencyRecorder recorder, int count, long millis) {
    for (int i = 0; i < count; i++) {
      recorder.record(millis * MS);
    }
  }
}
