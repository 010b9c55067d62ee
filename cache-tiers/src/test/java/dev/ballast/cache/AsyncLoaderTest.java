package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TieredCache#getAsync}: a miss whose origin is a stage holds no thread while the stage is
 * pending. The origin here is a {@link CompletableFuture} per key that the test completes itself, so no
 * thread is blocked anywhere; with a loader pool of two threads, hundreds of pending loads prove it.
 */
@ExtendWith(RedisExtension.class)
class AsyncLoaderTest {

  private static final AtomicInteger names = new AtomicInteger();
  private final ManualTicker now = new ManualTicker();
  private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger loads = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService twoThreads = Executors.newFixedThreadPool(2);
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
    name = "async" + names.incrementAndGet();
  }

  @AfterEach
  void tearDown() {
    pending.values().forEach(stage -> stage.complete("released at teardown"));
    twoThreads.shutdownNow();
    client.shutdown();
  }

  private TieredCacheBuilder<String, String> builder(RedisClient redisClient) {
    return builder(redisClient, registry);
  }

  private TieredCacheBuilder<String, String> builder(RedisClient redisClient, SimpleMeterRegistry meters) {
    return builder(redisClient, meters, twoThreads);
  }

  private TieredCacheBuilder<String, String> builder(RedisClient redisClient, SimpleMeterRegistry meters,
      java.util.concurrent.Executor executor) {
    // A manual clock: L1 never expires by itself, so what L1 holds at the end is what it would serve.
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(redisClient).ticker(now::read)
        .ttlJitter(0).executor(executor).meterRegistry(meters)
        .redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker());
  }

  /** Without Redis, whose clock the manual ticker cannot move: for what depends on an entry's age. */
  private TieredCacheBuilder<String, String> localOnly() {
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).ticker(now::read).ttlJitter(0)
        .executor(twoThreads).meterRegistry(registry).ttl(Duration.ofSeconds(10));
  }

  /** The origin: one pending stage per key, completed by the test. */
  private CompletionStage<String> pendingLoad(String key) {
    loads.incrementAndGet();
    return pending.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  private String inRedis(String key) {
    String stored = redis.get("ballast:cache:" + name + ":{" + key + "}:v");
    return stored == null ? null : stored.substring(stored.indexOf('\n') + 1);
  }

  @Test
  void twoHundredPendingMissesStartOnTwoLoaderThreads() throws Exception {
    int keys = 200;
    try (TieredCache<String, String> cache = builder(client).build()) {
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < keys; i++) {
        results.add(cache.getAsync("k" + i, this::pendingLoad));
      }
      // Every load was started while none has completed: no miss holds one of the two threads.
      await().atMost(Duration.ofSeconds(20)).until(() -> pending.size() == keys);
      assertThat(results).noneMatch(CompletableFuture::isDone);
      pending.forEach((key, stage) -> stage.complete("v-" + key));
      for (int i = 0; i < keys; i++) {
        assertThat(results.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("v-k" + i);
      }
      assertThat(loads).hasValue(keys);
      for (int i = 0; i < keys; i++) {
        assertThat(inRedis("k" + i)).isEqualTo("v-k" + i);
      }
      assertThat(cache.getAsync("k7", this::pendingLoad).isDone()).as("an L1 hit").isTrue();
      assertThat(loads).hasValue(keys);
    }
  }

  @Test
  void fiftyCallersOfOneKeyShareOneLoad() throws Exception {
    // Every caller joins or starts the flight on its own thread, before getAsync returns, whatever
    // the executor: the first registers it, the 49 others join it; the Redis steps come after.
    try (TieredCache<String, String> cache = builder(client, registry, Runnable::run).build()) {
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        results.add(cache.getAsync("hot", this::pendingLoad));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> pending.containsKey("hot"));
      assertThat(pending).containsOnlyKeys("hot");
      assertThat(results).noneMatch(CompletableFuture::isDone);
      pending.get("hot").complete("v-hot");
      for (CompletableFuture<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("v-hot");
      }
      assertThat(loads).hasValue(1);
    }
  }

  @Test
  void aWriteOnAnotherInstanceDuringAnAsyncLoadWins(RedisServer server) throws Exception {
    RedisClient otherClient = server.newClient();
    try (TieredCache<String, String> a = builder(client).build();
        TieredCache<String, String> b = builder(otherClient, new SimpleMeterRegistry()).build()) {
      CompletableFuture<String> load = a.getAsync("k", this::pendingLoad);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending.containsKey("k"));
      b.put("k", "new");
      await().atMost(Duration.ofSeconds(5)).until(
          () -> registry.find("ballast.cache.invalidations.received").functionCounter().count() == 1);
      pending.get("k").complete("old");
      assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("old"); // its caller asked before the write
      assertThat(inRedis("k")).isEqualTo("new");
      assertThat(registry.find("ballast.cache.fills.rejected").functionCounter().count()).isEqualTo(1);
      assertThat(a.get("k", key -> "reloaded")).isEqualTo("new");
    } finally {
      otherClient.shutdown();
    }
  }

  @Test
  void aLocalWriteDuringAnAsyncLoadWinsAndLaterCallersDoNotJoinTheOlderLoad() throws Exception {
    try (TieredCache<String, String> cache = builder(client).build()) {
      CompletableFuture<String> load = cache.getAsync("k", this::pendingLoad);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending.containsKey("k"));
      cache.put("k", "new");
      assertThat(cache.getAsync("k", key -> CompletableFuture.completedFuture("unused"))
          .get(10, TimeUnit.SECONDS)).isEqualTo("new");
      pending.get("k").complete("old");
      assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("old");
      assertThat(inRedis("k")).isEqualTo("new");
      assertThat(cache.get("k", key -> "reloaded")).isEqualTo("new");
    }
  }

  @Test
  void anInvalidationDuringAnAsyncLoadKeepsTheOlderValueOutOfL1() throws Exception {
    // Without Redis the flight's guard alone keeps L1 right: write.lua cannot help here.
    try (TieredCache<String, String> cache = localOnly().build()) {
      CompletableFuture<String> load = cache.getAsync("k", this::pendingLoad);
      await().atMost(Duration.ofSeconds(10)).until(() -> pending.containsKey("k"));
      cache.invalidate("k");
      pending.get("k").complete("old");
      assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("old");
      assertThat(cache.get("k", key -> "fresh")).isEqualTo("fresh");
    }
  }

  @Test
  void theLoadersFailureCompletesTheFutureUnwrapped() {
    try (TieredCache<String, String> cache = builder(client).build()) {
      CompletableFuture<String> failed = cache.getAsync("k",
          key -> CompletableFuture.failedFuture(new IOException("origin refused " + key)));
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(IOException.class).hasMessage("origin refused k");
      CompletableFuture<String> thrown = cache.getAsync("k", key -> {
        throw new IllegalStateException("no client");
      });
      assertThatThrownBy(() -> thrown.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(IllegalStateException.class).hasMessage("no client");
      assertThat(inRedis("k")).isNull();
      assertThat(redis.exists("ballast:cache:" + name + ":{k}:l")).as("the lease released").isZero();
      // A blocking caller joining such a flight sees the checked failure wrapped, as get() throws it.
      assertThat(cache.get("k", key -> "later")).isEqualTo("later");
    }
  }

  @Test
  void staleIfErrorServesTheOldValueWhenTheAsyncLoadFails() throws Exception {
    try (TieredCache<String, String> cache = localOnly().staleIfError(Duration.ofSeconds(20)).build()) {
      assertThat(cache.getAsync("k", key -> CompletableFuture.completedFuture("v1"))
          .get(10, TimeUnit.SECONDS)).isEqualTo("v1");
      now.advance(Duration.ofSeconds(15));
      CompletableFuture<String> served = cache.getAsync("k",
          key -> CompletableFuture.failedFuture(new IOException("origin down")));
      assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
      assertThat(registry.find("ballast.cache.stale.serves").functionCounter().count()).isEqualTo(1);
    }
  }

  @Test
  void staleWhileRevalidateRefreshesThroughTheAsyncLoader() throws Exception {
    try (TieredCache<String, String> cache = localOnly().staleWhileRevalidate(Duration.ofSeconds(20)).build()) {
      assertThat(cache.getAsync("k", key -> CompletableFuture.completedFuture("v1"))
          .get(10, TimeUnit.SECONDS)).isEqualTo("v1");
      now.advance(Duration.ofSeconds(15));
      assertThat(cache.getAsync("k", this::pendingLoad).get(10, TimeUnit.SECONDS)).isEqualTo("v1");
      await().atMost(Duration.ofSeconds(10)).until(() -> pending.containsKey("k"));
      assertThat(registry.find("ballast.cache.stale.serves").functionCounter().count()).isEqualTo(1);
      pending.get("k").complete("v2");
      await().atMost(Duration.ofSeconds(10)).until(() -> "v2".equals(cache.get("k", key -> "unused")));
      assertThat(loads).hasValue(1);
    }
  }

  @Test
  void absentValuesAreCachedWithANegativeTtl() throws Exception {
    try (TieredCache<String, String> cache = builder(client).negativeTtl(Duration.ofSeconds(30)).build()) {
      assertThat(cache.getAsync("none", key -> {
        loads.incrementAndGet();
        return CompletableFuture.completedFuture(null);
      }).get(10, TimeUnit.SECONDS)).isNull();
      assertThat(cache.getAsync("none", this::pendingLoad).get(10, TimeUnit.SECONDS)).isNull();
      assertThat(loads).hasValue(1);
    }
  }

  @Test
  void aSparedOriginIsNotCalled() throws Exception {
    try (TieredCache<String, String> cache = builder(client).spareOrigin(() -> true).build()) {
      CompletableFuture<String> spared = cache.getAsync("k", this::pendingLoad);
      assertThatThrownBy(() -> spared.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(OriginSparedException.class);
      assertThat(loads).hasValue(0);
    }
  }

  /** A cached interface whose method returns the test's pending stage. */
  public interface Catalog {
    @Cached("products")
    CompletionStage<String> product(String sku);
  }

  @Test
  void aCachedAsyncMethodHoldsNoLoaderThreadWhileItsStageIsPending() throws Exception {
    int keys = 20;
    CountDownLatch called = new CountDownLatch(keys);
    try (TieredCache<String, String> cache = builder(client).build()) {
      Catalog target = sku -> {
        CompletionStage<String> stage = pendingLoad(sku); // registered before the latch lets the test go on
        called.countDown();
        return stage;
      };
      Catalog catalog = Wrapper.wrap(Catalog.class, target, Registry.builder().add("products", cache).build());
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < keys; i++) {
        results.add(catalog.product("sku-" + i).toCompletableFuture());
      }
      assertThat(called.await(20, TimeUnit.SECONDS)).as("every method called on two loader threads").isTrue();
      assertThat(results).noneMatch(CompletableFuture::isDone);
      pending.forEach((key, stage) -> stage.complete("v-" + key));
      for (int i = 0; i < keys; i++) {
        assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("v-sku-" + i);
      }
      assertThat(inRedis("sku-3")).isEqualTo("v-sku-3");
      assertThat(catalog.product("sku-3").toCompletableFuture().isDone()).as("an L1 hit").isTrue();
      assertThat(loads).hasValue(keys);
    }
  }
}
