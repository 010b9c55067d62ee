package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis stopped or frozen: callers see values, never Redis's exceptions, and the cache comes back. */
class OutageTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final AtomicInteger names = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger loads = new AtomicInteger();
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private TieredCache<String, String> cache;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    name = "outage" + names.incrementAndGet();
    client = server.newClient();
    redis = client.connect().sync();
    cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).meterRegistry(registry)
        .l1Ttl(Duration.ofMinutes(1)).redisTimeout(Duration.ofMillis(200)).build();
  }

  @AfterEach
  void tearDown() {
    cache.close();
    client.shutdown();
  }

  private String load(String key) {
    loads.incrementAndGet();
    return "v-" + key;
  }

  private boolean inRedis(String key) {
    try {
      return redis.exists("ballast:cache:" + name + ":{" + key + "}:v") == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Reads a new key until it lands in Redis again: the cache is back to two tiers. */
  private void awaitTwoTiers(String prefix) {
    AtomicInteger probe = new AtomicInteger();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      String key = prefix + probe.incrementAndGet();
      cache.get(key, this::load);
      return inRedis(key);
    });
  }

  @Test
  void stoppedRedisMeansL1AndTheLoaderThenTwoTiersAfterRestart(RedisServer server) {
    assertThat(cache.get("warm", this::load)).isEqualTo("v-warm");
    server.stop();
    int exceptions = 0;
    for (int i = 0; i < 30; i++) {
      try {
        assertThat(cache.get("warm", this::load)).isEqualTo("v-warm");
        assertThat(cache.get("cold" + i, this::load)).isEqualTo("v-cold" + i);
        cache.put("written" + i, "w");
        cache.invalidate("cold" + i);
      } catch (RuntimeException e) {
        exceptions++;
      }
    }
    assertThat(exceptions).isZero();
    assertThat(loads).hasValue(31);
    assertThat(registry.find("ballast.redis.up").gauge().value()).isZero();
    assertThat(registry.find("ballast.cache.l2.errors").tag("reason", "unavailable").functionCounter().count())
        .isPositive();
    server.start();
    await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> "PONG".equals(redis.ping()));
    awaitTwoTiers("after");
    assertThat(registry.find("ballast.redis.up").gauge().value()).isEqualTo(1);
  }

  @Test
  void redisFrozenMidLoadStillAnswersEveryCaller(RedisServer server) throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> cache.get("slow", key -> {
      loading.countDown();
      proceed.await(10, TimeUnit.SECONDS);
      return "v-slow";
    }));
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
    server.pause();
    try {
      proceed.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("v-slow");
      int exceptions = 0;
      for (int i = 0; i < 20; i++) {
        try {
          assertThat(cache.get("frozen" + i, this::load)).isEqualTo("v-frozen" + i);
        } catch (RuntimeException e) {
          exceptions++;
        }
      }
      assertThat(exceptions).isZero();
      assertThat(cache.get("slow", key -> "unused")).isEqualTo("v-slow");
    } finally {
      server.resume();
    }
    awaitTwoTiers("thawed");
  }

  @Test
  void whileTheSubscriptionIsDownL1EntriesLiveOnlyTheShortBound(RedisServer server) {
    ManualTicker now = new ManualTicker();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (TieredCache<String, String> capped = TieredCache.builder(name + "-capped", Codec.utf8(), Codec.utf8())
        .redis(client).ticker(now::read).l1Ttl(Duration.ofMinutes(1)).l1TtlWhileDisconnected(Duration.ofSeconds(1))
        .meterRegistry(meters).build()) {
      java.util.function.DoubleSupplier l1Misses = () -> meters.find("ballast.cache.tier.gets").tags("tier", "l1", "result", "miss")
          .functionCounter().count();
      capped.get("k", this::load);
      now.advance(Duration.ofSeconds(2));
      capped.get("k", this::load);
      assertThat(l1Misses.getAsDouble()).as("2 s into a 1 min L1 TTL: a hit").isEqualTo(1);
      server.stop();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> meters.find("ballast.cache.subscription.up").gauge().value() == 0);
      capped.get("k", this::load);
      assertThat(l1Misses.getAsDouble()).as("within the 1 s bound: still a hit").isEqualTo(1);
      now.advance(Duration.ofSeconds(2));
      // Redis is down and the bound is over: the origin is asked, not L1's copy kept (another instance's
      // write could not reach this one meanwhile).
      assertThat(capped.get("k", this::load)).isEqualTo("v-k");
      assertThat(l1Misses.getAsDouble()).as("past the bound: asks Redis again").isEqualTo(2);
      assertThat(loads).hasValue(2);
      server.start();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> meters.find("ballast.cache.subscription.up").gauge().value() == 1);
      assertThat(meters.find("ballast.cache.resyncs").functionCounter().count()).isEqualTo(1);
    }
  }

  @Test
  void keepL1DuringOutageServesL1sCopyPastTheBoundInsteadOfTheOrigin(RedisServer server) {
    ManualTicker now = new ManualTicker();
    try (TieredCache<String, String> available = TieredCache.builder(name + "-keep", Codec.utf8(), Codec.utf8())
        .redis(client).ticker(now::read).l1Ttl(Duration.ofMillis(100)).keepL1DuringOutage(true).build()) {
      available.get("k", this::load);
      server.stop();
      for (int i = 0; i < 5; i++) {
        now.advance(Duration.ofSeconds(2)); // far past l1Ttl and l1TtlWhileDisconnected
        assertThat(available.get("k", this::load)).isEqualTo("v-k");
      }
      assertThat(loads).as("L1's copy served while Redis cannot be asked, the origin spared").hasValue(1);
      now.advance(Duration.ofMinutes(15)); // past the soft expiry: loaded again
      assertThat(available.get("k", this::load)).isEqualTo("v-k");
      assertThat(loads).hasValue(2);
    }
  }

  @Test
  void aCacheBuiltWhileRedisIsDownServesAndJoinsRedisWhenItComesBack(RedisServer server) {
    server.stop();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (TieredCache<String, String> early = TieredCache.builder(name + "-early", Codec.utf8(), Codec.utf8())
        .redis(client).meterRegistry(meters).build()) {
      assertThat(early.get("k", this::load)).isEqualTo("v-k");
      early.put("p", "v");
      early.invalidate("p");
      assertThat(meters.find("ballast.cache.subscription.up").gauge().value()).isZero();
      server.start();
      await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> "PONG".equals(redis.ping()));
      await().atMost(Duration.ofSeconds(15))
          .until(() -> meters.find("ballast.cache.subscription.up").gauge().value() == 1);
      AtomicInteger probe = new AtomicInteger();
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
        String key = "late" + probe.incrementAndGet();
        early.get(key, this::load);
        return redis.exists("ballast:cache:" + name + "-early:{" + key + "}:v") == 1;
      });
    }
  }
}
