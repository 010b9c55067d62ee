package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Writes on one instance evict the others' L1; a dropped subscription clears L1 when it comes back. */
@ExtendWith(RedisExtension.class)
class InvalidationTest {

  private static final AtomicInteger names = new AtomicInteger();
  // Manual clocks: L1 never expires by itself, so only an invalidation (or a resync) can evict.
  private final ManualTicker now = new ManualTicker();
  private final SimpleMeterRegistry registryA = new SimpleMeterRegistry();
  private final SimpleMeterRegistry registryB = new SimpleMeterRegistry();
  private RedisClient clientA;
  private RedisClient clientB;
  private RedisCommands<String, String> redis;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    name = "inv" + names.incrementAndGet();
    clientA = server.newClient();
    clientB = server.newClient();
    redis = clientB.connect().sync();
  }

  @AfterEach
  void tearDown() {
    clientA.shutdown();
    clientB.shutdown();
  }

  private TieredCacheBuilder<String, String> builder(RedisClient client, SimpleMeterRegistry registry) {
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).ticker(now::read)
        .meterRegistry(registry);
  }

  private static double count(SimpleMeterRegistry registry, String name) {
    return registry.find(name).functionCounter().count();
  }

  @Test
  void putOnOneInstanceEvictsTheOthersL1AndNotItsOwn() {
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        TieredCache<String, String> b = builder(clientB, registryB).build()) {
      assertThat(a.get("k", key -> "v1")).isEqualTo("v1");
      assertThat(b.get("k", key -> "unused")).isEqualTo("v1");
      b.put("k", "v2");
      await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(a.get("k", key -> "unused")));
      assertThat(count(registryA, "ballast.cache.invalidations.received")).isEqualTo(1);
      assertThat(count(registryB, "ballast.cache.invalidations.received")).as("own message ignored").isZero();
      assertThat(count(registryB, "ballast.cache.invalidations.sent")).isEqualTo(1);
      assertThat(b.get("k", key -> "unused")).isEqualTo("v2");
    }
  }

  @Test
  void invalidateOnOneInstanceEvictsTheOthers() {
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        TieredCache<String, String> b = builder(clientB, registryB).build()) {
      a.get("k", key -> "v1");
      b.invalidate("k");
      await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(a.get("k", key -> "v2")));
    }
  }

  @Test
  void fillsAfterAMissAreNotBroadcast() {
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        TieredCache<String, String> b = builder(clientB, registryB).build()) {
      a.get("k", key -> "v1");
      b.get("other", key -> "v1");
      assertThat(count(registryA, "ballast.cache.invalidations.sent")).isZero();
      assertThat(count(registryB, "ballast.cache.invalidations.sent")).isZero();
    }
  }

  @Test
  void aBurstOfWritesIsBatchedIntoFewMessages() {
    AtomicInteger messages = new AtomicInteger();
    StatefulRedisPubSubConnection<String, String> spy = clientB.connectPubSub();
    spy.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        messages.incrementAndGet();
      }
    });
    spy.sync().subscribe("ballast:cache:" + name + ":invalidations");
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        TieredCache<String, String> b = builder(clientB, registryB).invalidationBatchWindow(Duration.ofMillis(50))
            .build()) {
      for (int i = 0; i < 50; i++) {
        a.get("k" + i, key -> "old");
      }
      for (int i = 0; i < 50; i++) {
        b.put("k" + i, "new");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> count(registryA, "ballast.cache.invalidations.received") == 50);
      assertThat(messages.get()).isBetween(1, 5);
      for (int i = 0; i < 50; i++) {
        assertThat(a.get("k" + i, key -> "unused")).isEqualTo("new");
      }
    } finally {
      spy.close();
    }
  }

  @Test
  void invalidateAllReachesOtherInstances() {
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        TieredCache<String, String> b = builder(clientB, registryB).build()) {
      a.get("x", key -> "v1");
      b.invalidateAll();
      await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(a.get("x", key -> "v2")));
    }
  }

  @Test
  void killedSubscriptionClearsL1OnReconnectSoMissedWritesAreNotServed() {
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        TieredCache<String, String> b = builder(clientB, registryB).build();
        // Writes through this one publish nothing: a stand-in for a message A certainly missed.
        TieredCache<String, String> silent = builder(clientB, new SimpleMeterRegistry()).invalidation(false).build()) {
      assertThat(a.get("k", key -> "v1")).isEqualTo("v1");
      assertThat(a.get("m", key -> "v1")).isEqualTo("v1");
      redis.clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
      b.put("k", "v2");
      silent.put("m", "v2");
      await().atMost(Duration.ofSeconds(10)).until(() -> count(registryA, "ballast.cache.resyncs") >= 1);
      assertThat(a.get("k", key -> "unused")).isEqualTo("v2");
      assertThat(a.get("m", key -> "unused")).isEqualTo("v2");
      // And the subscription works again afterwards.
      b.put("k", "v3");
      await().atMost(Duration.ofSeconds(5)).until(() -> "v3".equals(a.get("k", key -> "unused")));
    }
  }

  @Test
  void aDroppedConnectionOfTheSameClientCapsL1UntilAProbeProvesTheSubscriptionWorks() {
    // The subscription itself stays up: only the probe (published on the channel, received by A) can end
    // the capped state, and it resyncs once.
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        io.lettuce.core.api.StatefulRedisConnection<String, String> other = clientA.connect()) {
      long id = other.sync().clientId();
      assertThat(registryA.get("ballast.cache.subscription.up").gauge().value()).isEqualTo(1);
      assertThat(count(registryA, "ballast.cache.resyncs")).isZero();
      redis.clientKill(io.lettuce.core.KillArgs.Builder.id(id));
      await().atMost(Duration.ofSeconds(10)).until(() -> count(registryA, "ballast.cache.resyncs") >= 1);
      assertThat(registryA.get("ballast.cache.subscription.up").gauge().value()).isEqualTo(1);
      assertThat(count(registryA, "ballast.cache.resyncs")).as("one resync for one drop").isEqualTo(1);
    }
  }

  @Test
  void withoutTheKillASilentWriteStaysInvisibleToL1() {
    // The control for the test above: proves that only the resync made A see the silent write.
    try (TieredCache<String, String> a = builder(clientA, registryA).build();
        TieredCache<String, String> silent = builder(clientB, new SimpleMeterRegistry()).invalidation(false).build()) {
      a.get("m", key -> "v1");
      silent.put("m", "v2");
      assertThat(a.get("m", key -> "unused")).isEqualTo("v1");
    }
  }
}
