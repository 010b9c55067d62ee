package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class ReadThroughTest {

  private final ManualTicker now = new ManualTicker(1_000_000_000L);
  private final AtomicInteger loads = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private static final AtomicInteger names = new AtomicInteger();
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
    name = "rt" + names.incrementAndGet();
  }

  @AfterEach
  void tearDown() {
    client.shutdown();
  }

  private TieredCacheBuilder<String, String> builder() {
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).ticker(now::read)
        .meterRegistry(registry).ttlJitter(0);
  }

  private String load(String key) {
    loads.incrementAndGet();
    return "v-" + key;
  }

  private double count(String meter, String... tags) {
    return registry.find(meter).tags(tags).functionCounter() != null
        ? registry.find(meter).tags(tags).functionCounter().count()
        : registry.find(meter).tags(tags).counter().count();
  }

  /** The cache's breaker around Redis shows in metrics as the switchboard's and the limiter's do. */
  @Test
  void theRedisBreakerPublishesItsMetersUnderTheCachesComponent() {
    try (TieredCache<String, String> cache = builder().build()) {
      assertThat(cache.get("a", this::load)).isEqualTo("v-a"); // Redis calls through the breaker, all answered
      String breaker = "redis:cache:" + name;
      assertThat(registry.get("ballast.circuitbreaker.state").tag("name", breaker).tag("state", "closed")
          .gauge().value()).isEqualTo(1.0);
      assertThat(registry.get("ballast.circuitbreaker.calls").tag("name", breaker).tag("outcome", "success")
          .timer().count()).isPositive();
    }
  }

  @Test
  void missLoadsOnceThenL1ThenRedisServesAfterL1Expiry() {
    try (TieredCache<String, String> cache = builder().build()) {
      assertThat(cache.get("a", this::load)).isEqualTo("v-a");
      assertThat(cache.get("a", this::load)).isEqualTo("v-a");
      assertThat(loads).hasValue(1);
      assertThat(count("ballast.cache.tier.gets", "tier", "l1", "result", "hit")).isEqualTo(1);
      now.advance(Duration.ofMillis(150)); // past the 100 ms L1 TTL
      assertThat(cache.get("a", this::load)).isEqualTo("v-a");
      assertThat(loads).hasValue(1);
      assertThat(count("ballast.cache.tier.gets", "tier", "l2", "result", "hit")).isEqualTo(1);
    }
  }

  /**
   * Micrometer's cache conventions: one {@code cache.gets} per call, so a call that misses L1 and finds the
   * value in Redis counts one hit (before: an L1 miss and an L2 hit, so a stock hit-ratio panel read 0.5);
   * one {@code cache.puts} per fill; {@code cache.size} is L1's; the loader's timer does not take the name
   * Micrometer's Caffeine and JCache binders register as a TimeGauge.
   */
  @Test
  void oneGetPerCallOnePutPerFillAndTheSizeOfL1() {
    try (TieredCache<String, String> cache = builder().build()) {
      assertThat(cache.get("a", this::load)).isEqualTo("v-a");     // a miss: loaded, one fill
      assertThat(count("cache.gets", "result", "miss")).isEqualTo(1);
      assertThat(count("cache.gets", "result", "hit")).isZero();
      assertThat(count("cache.puts")).isEqualTo(1);
      now.advance(Duration.ofMillis(150)); // past the 100 ms L1 TTL
      assertThat(cache.get("a", this::load)).isEqualTo("v-a");     // misses L1, a Redis hit: one get
      assertThat(cache.get("a", this::load)).isEqualTo("v-a");     // an L1 hit
      assertThat(count("cache.gets", "result", "hit")).isEqualTo(2);
      assertThat(count("cache.gets", "result", "miss")).isEqualTo(1);
      assertThat(registry.find("cache.gets").functionCounters()).hasSize(2);
      assertThat(count("cache.puts")).isEqualTo(1);
      assertThat(registry.get("cache.size").tag("cache", name).gauge().value()).isEqualTo(1);
      assertThat(registry.find("cache.load.duration").meters()).isEmpty();
      assertThat(registry.get("ballast.cache.load").tag("result", "success").timer().count()).isEqualTo(1);
    }
  }

  @Test
  void redisEntryCarriesAHeaderWrittenWithRedisTime() {
    try (TieredCache<String, String> cache = builder().ttl(Duration.ofSeconds(60)).staleIfError(Duration.ofSeconds(30))
        .build()) {
      cache.get("k", this::load);
      String stored = redis.get("ballast:cache:" + name + ":{k}:v");
      assertThat(stored).matches("BC1:\\d+:\\d+:\\d+:\\d+:V\nv-k");
      String[] fields = stored.substring(4, stored.indexOf('\n')).split(":");
      long write = Long.parseLong(fields[0]);
      assertThat(Long.parseLong(fields[1]) - write).isEqualTo(60_000);
      assertThat(Long.parseLong(fields[2]) - write).isEqualTo(90_000);
      List<String> time = redis.time();
      assertThat(Math.abs(Long.parseLong(time.get(0)) * 1000 - write)).isLessThan(5_000);
      assertThat(redis.pttl("ballast:cache:" + name + ":{k}:v")).isBetween(80_000L, 90_000L);
      assertThat(redis.exists("ballast:cache:" + name + ":{k}:l")).as("lease released").isZero();
    }
  }

  @Test
  void secondInstanceReadsWhatTheFirstLoaded() {
    try (TieredCache<String, String> a = builder().build();
        TieredCache<String, String> b = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).build()) {
      a.get("x", this::load);
      assertThat(b.get("x", k -> "other")).isEqualTo("v-x");
      assertThat(loads).hasValue(1);
    }
  }

  @Test
  void ttlJitterShortensTtlWithinTheFraction() {
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .ttl(Duration.ofSeconds(100)).ttlJitter(0.5).build()) {
      for (int i = 0; i < 20; i++) {
        cache.get("j" + i, this::load);
      }
      long distinct = java.util.stream.IntStream.range(0, 20)
          .mapToLong(i -> redis.pttl("ballast:cache:" + name + ":{j" + i + "}:v") / 1000).distinct().count();
      for (int i = 0; i < 20; i++) {
        assertThat(redis.pttl("ballast:cache:" + name + ":{j" + i + "}:v")).isBetween(49_000L, 100_000L);
      }
      assertThat(distinct).isGreaterThan(5);
    }
  }

  @Test
  void negativeCachingStoresAbsenceForItsOwnTtl() {
    try (TieredCache<String, String> cache = builder().negativeTtl(Duration.ofSeconds(5)).build()) {
      Loader<String, String> absent = k -> {
        loads.incrementAndGet();
        return null;
      };
      assertThat(cache.get("none", absent)).isNull();
      assertThat(cache.get("none", absent)).isNull();
      now.advance(Duration.ofSeconds(1));
      assertThat(cache.get("none", absent)).isNull(); // from Redis
      assertThat(loads).hasValue(1);
      assertThat(redis.get("ballast:cache:" + name + ":{none}:v")).endsWith(":N\n");
      assertThat(redis.pttl("ballast:cache:" + name + ":{none}:v")).isBetween(4_000L, 5_000L);
    }
  }

  @Test
  void withoutNegativeTtlAbsenceIsNotCached() {
    try (TieredCache<String, String> cache = builder().build()) {
      Loader<String, String> absent = k -> {
        loads.incrementAndGet();
        return null;
      };
      assertThat(cache.get("none", absent)).isNull();
      assertThat(cache.get("none", absent)).isNull();
      assertThat(loads).hasValue(2);
    }
  }

  @Test
  void corruptBytesAreACountedMissNotAnException() {
    try (TieredCache<String, String> cache = builder().build()) {
      redis.set("ballast:cache:" + name + ":{bad}:v", "garbage");
      redis.set("ballast:cache:" + name + ":{old}:v", "BC9:1:2:3:0:V\nfuture format");
      assertThat(cache.get("bad", this::load)).isEqualTo("v-bad");
      assertThat(cache.get("old", this::load)).isEqualTo("v-old");
      assertThat(loads).hasValue(2);
      assertThat(count("ballast.cache.l2.errors", "reason", "corrupt")).isEqualTo(2);
      assertThat(redis.get("ballast:cache:" + name + ":{bad}:v")).startsWith("BC1:").endsWith("v-bad");
    }
  }

  @Test
  void payloadTheCodecCannotDecodeIsACountedMiss(RedisServer server) {
    RedisClient raw = server.newClient();
    try (TieredCache<String, String> cache = builder().build()) {
      byte[] invalidUtf8 = new byte[] {'B', 'C', '1', ':', '1', ':', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9',
          '9', '9', '9', ':', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9', ':', '0', ':', 'V', '\n',
          (byte) 0xC3, (byte) 0x28};
      raw.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE).sync()
          .set(("ballast:cache:" + name + ":{u}:v").getBytes(StandardCharsets.UTF_8), invalidUtf8);
      assertThat(cache.get("u", this::load)).isEqualTo("v-u");
      assertThat(count("ballast.cache.l2.errors", "reason", "corrupt")).isGreaterThanOrEqualTo(1);
    } finally {
      raw.shutdown();
    }
  }

  @Test
  void nullArgumentsAreRejectedNamingTheArgument() {
    try (TieredCache<String, String> cache = builder().build()) {
      assertThatThrownBy(() -> cache.get(null, this::load)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("get key");
      assertThatThrownBy(() -> cache.get("k", null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("get loader");
      assertThatThrownBy(() -> cache.put(null, "v")).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("put key");
      assertThatThrownBy(() -> cache.put("k", null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("put value");
      assertThatThrownBy(() -> cache.invalidate(null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("invalidate key");
      assertThatThrownBy(() -> cache.getAll(java.util.Arrays.asList("a", null), keys -> Map.of()))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("getAll key");
    }
  }

  @Test
  void oversizedPutIsRejectedAndOversizedLoadStaysInL1() {
    try (TieredCache<String, String> cache = builder().maxEncodedSize(8).build()) {
      assertThatThrownBy(() -> cache.put("big", "0123456789")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxEncodedSize 8").hasMessageContaining("big");
      assertThat(cache.get("big", k -> "0123456789")).isEqualTo("0123456789");
      assertThat(redis.exists("ballast:cache:" + name + ":{big}:v")).isZero();
      assertThat(cache.get("big", k -> "other")).isEqualTo("0123456789");
      assertThat(count("ballast.cache.l2.oversize")).isEqualTo(1);
    }
  }

  @Test
  void checkedLoaderFailureIsWrappedAndUncheckedPassesThrough() {
    try (TieredCache<String, String> cache = builder().build()) {
      assertThatThrownBy(() -> cache.get("f", k -> {
        throw new java.io.IOException("origin down");
      })).isInstanceOf(CacheLoadException.class).hasRootCauseMessage("origin down").hasMessageContaining("f");
      assertThatThrownBy(() -> cache.get("f", k -> {
        throw new IllegalStateException("boom");
      })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
      assertThat(redis.exists("ballast:cache:" + name + ":{f}:l")).as("lease released after failure").isZero();
    }
  }

  @Test
  void getAllUsesL1ThenRedisThenLoadsOnlyTheMissing() {
    try (TieredCache<String, String> a = builder().build();
        TieredCache<String, String> b = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).build()) {
      a.get("1", this::load);
      b.get("2", this::load);
      List<java.util.Set<String>> asked = new java.util.ArrayList<>();
      Map<String, String> all = a.getAll(List.of("1", "2", "3", "4"), keys -> {
        asked.add(Set(keys));
        return Map.of("3", "v-3");
      });
      assertThat(all).containsExactly(Map.entry("1", "v-1"), Map.entry("2", "v-2"), Map.entry("3", "v-3"));
      assertThat(asked).containsExactly(java.util.Set.of("3", "4"));
      assertThat(b.get("3", k -> "other")).isEqualTo("v-3");
    }
  }

  private static java.util.Set<String> Set(java.util.Set<String> keys) {
    return java.util.Set.copyOf(keys);
  }

  @Test
  void getAsyncCompletesWithTheValue() throws Exception {
    try (TieredCache<String, String> cache = builder().build()) {
      assertThat(cache.getAsyncWithBlockingLoader("as", this::load).get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("v-as");
      assertThat(cache.getAsyncWithBlockingLoader("as", this::load).isDone()).isTrue();
      assertThat(loads).hasValue(1);
    }
  }

  @Test
  void asyncMissesWithBlockingLoadersRunSideBySideOffTheCommonPool() throws Exception {
    int keys = 8; // more than the common pool's threads on a small machine
    java.util.concurrent.CountDownLatch allLoading = new java.util.concurrent.CountDownLatch(keys);
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (TieredCache<String, String> cache = builder().build()) {
      List<java.util.concurrent.CompletableFuture<String>> results = new java.util.ArrayList<>();
      for (int i = 0; i < keys; i++) {
        results.add(cache.getAsyncWithBlockingLoader("blocking-" + i, key -> {
          threads.add(Thread.currentThread().getName());
          allLoading.countDown();
          // Each loader blocks until every one has started: only possible if they run at the same time.
          if (!allLoading.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("loaders ran one after another");
          }
          return "v-" + key;
        }));
      }
      for (int i = 0; i < keys; i++) {
        assertThat(results.get(i).get(15, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("v-blocking-" + i);
      }
      assertThat(threads).hasSize(keys).allMatch(name -> name.startsWith("ballast-cache-loader-"));
    }
  }

  @Test
  void asyncCallersOfAKeyBeingLoadedWaitWithoutHoldingLoaderThreads() throws Exception {
    java.util.concurrent.ExecutorService twoThreads = java.util.concurrent.Executors.newFixedThreadPool(2);
    java.util.concurrent.CountDownLatch loading = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (TieredCache<String, String> cache = builder().executor(twoThreads).build()) {
      java.util.concurrent.CompletableFuture<String> first = cache.getAsyncWithBlockingLoader("hot", key -> {
        loading.countDown();
        release.await();
        return load(key);
      });
      assertThat(loading.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      List<java.util.concurrent.CompletableFuture<String>> joiners = new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        joiners.add(cache.getAsyncWithBlockingLoader("hot", this::load));
      }
      // One thread loads "hot"; were the 50 joiners each waiting on a thread, "cold" would queue behind them.
      assertThat(cache.getAsyncWithBlockingLoader("cold", this::load).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("v-cold");
      assertThat(first).isNotDone();
      release.countDown();
      for (java.util.concurrent.CompletableFuture<String> joiner : joiners) {
        assertThat(joiner.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("v-hot");
      }
      assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("v-hot");
      assertThat(loads).hasValue(2); // "hot" once, "cold" once
    } finally {
      release.countDown();
      twoThreads.shutdownNow();
    }
  }

  @Test
  void invalidateAllEmptiesRedisAndL1() {
    try (TieredCache<String, String> cache = builder().build()) {
      cache.get("p", this::load);
      cache.get("q", this::load);
      cache.invalidateAll();
      assertThat(redis.keys("ballast:cache:" + name + ":*")).isEmpty();
      cache.get("p", this::load);
      assertThat(loads).hasValue(3);
    }
  }
}
