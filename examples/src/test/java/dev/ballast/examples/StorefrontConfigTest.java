package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.cache.CacheSpec;
import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Jitter;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.Retry;
import dev.ballast.core.Timeout;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.degradation.LatencyRecorder;
import dev.ballast.degradation.OutcomeRecorder;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Trigger;
import dev.ballast.degradation.Reason;
import dev.ballast.queue.JobQueue;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo's configuration without Redis (switchboard local, queue in memory): instance-a.yaml over
 * storefront.yaml over spike-protection builds, carries the numbers the files give, and every annotation
 * on the wrapped interfaces finds what it names.
 */
class StorefrontConfigTest {

  private ConfigFiles files;
  private Registry registry;

  @BeforeEach
  void build() {
    files = ConfigFiles.unpack();
    registry = Configuration.load(files.instance("a")).buildRegistry(ConfigContext.defaults());
  }

  @AfterEach
  void close() throws Exception {
    registry.close();
    files.close();
  }

  @Test
  void thePaymentPoliciesAreExternalApisWithTheInteractiveOverrides() {
    RateLimiter limiter = registry.get("payments", RateLimiter.class);
    assertThat(limiter.config().capacity()).isEqualTo(54);
    assertThat(limiter.config().refillPermits() * 1_000_000_000L / limiter.config().refillPeriod().toNanos())
        .isEqualTo(36);
    assertThat(limiter.config().maxWait()).isEqualTo(Duration.ofMillis(100));
    assertThat(registry.get("payments", Retry.class).config().maxAttempts()).isEqualTo(3);
    assertThat(registry.get("payments", Retry.class).config().maxDuration()).isEqualTo(Duration.ofMillis(600));
    assertThat(registry.get("payments", Retry.class).config().budget()).isNotNull();
    assertThat(registry.get("payments", Timeout.class).config().limit()).isEqualTo(Duration.ofMillis(300));
    assertThat(registry.get("payments", CircuitBreaker.class).config().openDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(registry.get("database", CircuitBreaker.class).config().openDuration()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void theSwitchboardKeepsSpikeProtectionsThresholdsOnShorterWindowsAndAddsTheDatabaseTrigger() {
    Switchboard board = registry.get("switchboard", Switchboard.class);
    assertThat(board.name()).isEqualTo("storefront");
    assertThat(board.isFeatureEnabled("recommendations")).isTrue();
    Map<String, Trigger> triggers = board.triggers().stream().collect(Collectors.toMap(Trigger::name, Function.identity()));
    assertThat(triggers).containsOnlyKeys("slow-reads", "failing-reads", "database-down");
    assertThat(triggers.get("slow-reads").enterThreshold()).isEqualTo(300.0);  // the preset's
    assertThat(triggers.get("slow-reads").exitThreshold()).isEqualTo(200.0);
    assertThat(triggers.get("failing-reads").enterThreshold()).isEqualTo(0.005);
    assertThat(triggers.get("slow-reads").minDwell()).isEqualTo(Duration.ofSeconds(3)); // ours
    assertThat(triggers.get("database-down").scope()).isEqualTo(Trigger.Scope.FLEET);
    assertThat(registry.get("reads", LatencyRecorder.class)).isNotNull();
    assertThat(registry.get("reads", OutcomeRecorder.class)).isNotNull();
    assertThat(registry.namesOf(RateLimiter.class)).contains("spike-protection"); // inherited, unused
  }

  @Test
  void theCacheAndTheQueueCopyTheirPresets() {
    CacheSpec products = registry.get("products", CacheSpec.class);
    assertThat(products.config().l1Ttl()).isEqualTo(Duration.ofMillis(100));
    assertThat(products.config().ttl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(products.spareOrigin()).hasValue("switchboard");
    JobQueue orders = registry.get("orders", JobQueue.class);
    assertThat(orders.config().maxAttempts()).isEqualTo(3);
    assertThat(orders.config().targetAge()).isEqualTo(Duration.ofMinutes(5));
    JobQueue writes = registry.get("writes", JobQueue.class); // ours: outlasts the outage, see storefront.yaml
    assertThat(writes.config().maxAttempts()).isEqualTo(20);
    assertThat(writes.config().backoff().initial()).isEqualTo(Duration.ofMillis(250));
    assertThat(writes.config().backoff().max()).isEqualTo(Duration.ofSeconds(4));
    assertThat(writes.config().backoff().jitter()).isEqualTo(Jitter.EQUAL);
    assertThat(writes.config().priorityWeights()).isEqualTo(orders.config().priorityWeights());
  }

  @Test
  void theProductsCacheHasReadHeavyApisNumbersSoEntriesOutliveAnyOutageOfTheDemo() throws Exception {
    TieredCacheConfig ours = registry.get("products", CacheSpec.class).config();
    try (Registry preset = Configuration.preset("read-heavy-api").buildRegistry(ConfigContext.defaults())) {
      TieredCacheConfig theirs = preset.get("read-heavy-api", CacheSpec.class).config();
      assertThat(ours).usingRecursiveComparison().ignoringFields("name", "keyPrefix").isEqualTo(theirs);
    }
    // An entry is served (stale if need be) until its hard expiry: the TTL, cut by up to its jitter, plus the
    // stale window. 18.5 minutes, against outages of 7 s (30 s with --long) and runs of about a minute.
    Duration shortestLife = Duration.ofMillis((long) (ours.ttl().toMillis() * (1 - ours.ttlJitter())))
        .plus(ours.staleTtl());
    assertThat(shortestLife).isEqualTo(Duration.ofSeconds(1110)).isGreaterThan(Duration.ofMinutes(10));
  }

  @Test
  void everyAnnotationFindsWhatItNamesWhenWrapping() {
    Backends backends = Backends.fresh();
    Database database = Wrapper.wrap(Database.class, backends.database(), registry);
    Payments payments = Wrapper.wrap(Payments.class, backends.payments(), registry);
    Storefront storefront = Wrapper.wrap(Storefront.class,
        new StorefrontImpl(database, payments, orderId -> { }, DeferredWrites.NONE), registry);
    assertThat(storefront.product("sku-7").sku()).isEqualTo("sku-7");
    assertThat(backends.database().calls(SimulatedDatabase.Query.PRODUCT)).isEqualTo(1);
    storefront.product("sku-7"); // a hit
    assertThat(backends.database().calls(SimulatedDatabase.Query.PRODUCT)).isEqualTo(1);
    registry.get("switchboard", Switchboard.class).degrade(SwitchName.feature("recommendations"), new Reason("test",
        "switched off"));
    assertThat(storefront.recommendations("user-1").fallback()).isTrue();
    assertThat(backends.database().calls(SimulatedDatabase.Query.RECOMMENDATIONS)).isZero();
  }
}
