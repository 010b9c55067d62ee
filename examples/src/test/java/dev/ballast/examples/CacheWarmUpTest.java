package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.cache.CacheSpec;
import dev.ballast.cache.TieredCache;
import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The storefront's cache warm-up ({@link CacheWarmUp}, called by {@link Instance#start}) on a real Redis:
 * the hot set is loaded once across two instances (the second started reads it from Redis; two warming
 * the same keys at once load each once between them, through the fleet leases); an instance
 * started with it serves the whole hot set through a database outage; a start waits for it at most its
 * bound, and the warm-up goes on after.
 */
class CacheWarmUpTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  void theSecondInstanceStartedReadsTheHotSetFromRedisInsteadOfLoadingIt(RedisServer server) throws Exception {
    Backends backends = Backends.fresh();
    SimulatedDatabase database = backends.database();
    try (DemoRedis redis = DemoRedis.on(server); ConfigFiles files = ConfigFiles.unpack()) {
      redis.flush();
      try (Instance a = Instance.start("a", files.instance("a"), backends, redis.client(), new SimpleMeterRegistry())) {
        long rowsAfterA = database.bulkRows();
        long productQueriesAfterA = database.calls(SimulatedDatabase.Query.PRODUCT);
        try (Instance b = Instance.start("b", files.instance("b"), backends, redis.client(),
            new SimpleMeterRegistry())) {
          // a's readiness reads load a few tail products one by one; the warm-up loads the rest in bulk
          assertThat(rowsAfterA + productQueriesAfterA).as("products a read").isEqualTo(CacheWarmUp.hotSetSize());
          assertThat(database.bulkRows()).as("rows b read").isEqualTo(rowsAfterA);
          assertThat(database.calls(SimulatedDatabase.Query.PRODUCT)).isEqualTo(productQueriesAfterA);
        }
      }
    }
  }

  @Test
  void twoInstancesWarmingAtOnceLoadEachHotProductOnce(RedisServer server) throws Exception {
    List<String> hot = CacheWarmUp.topSkus(CacheWarmUp.CHUNK);
    SimulatedDatabase simulated = SimulatedDatabase.standard();
    Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    Database counting = bulkReads(skus -> {
      skus.forEach(sku -> reads.computeIfAbsent(sku, s -> new AtomicInteger()).incrementAndGet());
      return simulated.findProducts(skus);
    });
    try (DemoRedis redis = DemoRedis.on(server); ConfigFiles files = ConfigFiles.unpack()) {
      redis.flush();
      try (Registry a = registry(files, "a", redis); Registry b = registry(files, "b", redis)) {
        CyclicBarrier together = new CyclicBarrier(2);
        List<CompletableFuture<Integer>> warming = new ArrayList<>();
        for (Registry instance : List.of(a, b)) {
          TieredCache<String, Product> cache = products(instance);
          cache.get("not-a-sku", sku -> null); // as Instance's readiness reads: connections, scripts, codecs
          warming.add(CompletableFuture.supplyAsync(() -> {
            meet(together);
            return CacheWarmUp.warm(cache, counting, hot, PATIENCE);
          }));
        }
        int loadedByA = warming.get(0).get(PATIENCE.toSeconds() + 10, TimeUnit.SECONDS);
        int loadedByB = warming.get(1).get(PATIENCE.toSeconds() + 10, TimeUnit.SECONDS);

        assertThat(loadedByA + loadedByB).as("products loaded by a and b").isEqualTo(hot.size());
        assertThat(reads.keySet()).containsExactlyInAnyOrderElementsOf(hot);
        assertThat(reads.values()).allSatisfy(count -> assertThat(count).hasValue(1));
      }
    }
  }

  @Test
  void anInstanceStartedWithItServesEveryHotProductThroughAnOutage(RedisServer server) throws Exception {
    Backends backends = Backends.fresh();
    try (DemoRedis redis = DemoRedis.on(server); ConfigFiles files = ConfigFiles.unpack()) {
      redis.flush();
      try (Instance instance = Instance.start("a", files.instance("a"), backends, redis.client(),
          new SimpleMeterRegistry())) {
        backends.database().outage(true);
        long queriesBefore = backends.database().calls();
        for (int rank = 0; rank < CacheWarmUp.hotSetSize(); rank += 7) {
          String sku = "sku-" + rank;
          assertThat(instance.storefront().product(sku).sku()).isEqualTo(sku);
        }
        assertThat(backends.database().calls() - queriesBefore).as("queries while down").isZero();
      }
    }
  }

  @Test
  void aStartWaitsForItAtMostItsBoundAndItGoesOnAfter() throws Exception {
    CountDownLatch databaseAnswers = new CountDownLatch(1);
    SimulatedDatabase simulated = SimulatedDatabase.standard();
    Database slow = bulkReads(skus -> {
      databaseAnswers.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      return simulated.findProducts(skus);
    });
    List<String> hot = CacheWarmUp.topSkus(100);
    try (ConfigFiles files = ConfigFiles.unpack();
        Registry registry = Configuration.load(files.instance("a")).buildRegistry(ConfigContext.defaults())) {
      TieredCache<String, Product> cache = products(registry);
      long started = System.nanoTime();
      int loaded = CacheWarmUp.warm(cache, slow, hot, Duration.ofMillis(200));
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      assertThat(loaded).as("not done within the bound").isEqualTo(-1);
      assertThat(waitedMillis).as("waited for the warm-up, ms").isBetween(200L, 5_000L);
      databaseAnswers.countDown();
      await().atMost(PATIENCE).until(() -> simulated.answered(SimulatedDatabase.Query.PRODUCTS) == 1);
      assertThat(cache.get("sku-99", sku -> {
        throw new AssertionError("sku-99 should be cached by the warm-up, not loaded again");
      })).isEqualTo(new Product("sku-99", "Product 99", simulated.priceOf("sku-99")));
    }
  }

  /** A bulk read as the database's, and nothing else. */
  @FunctionalInterface
  private interface BulkRead {
    Map<String, Product> read(Collection<String> skus) throws Exception;
  }

  @SuppressWarnings("unchecked")
  private static Database bulkReads(BulkRead read) {
    return (Database) Proxy.newProxyInstance(Database.class.getClassLoader(), new Class<?>[] {Database.class},
        (proxy, method, args) -> {
          if (method.getName().equals("findProducts")) {
            return read.read((Collection<String>) args[0]);
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  private static Registry registry(ConfigFiles files, String id, DemoRedis redis) {
    return Configuration.load(files.instance(id)).buildRegistry(
        ConfigContext.builder().meterRegistry(new SimpleMeterRegistry()).resource("redis", redis.client()).build());
  }

  private static TieredCache<String, Product> products(Registry registry) {
    return registry.get("products", CacheSpec.class).cache(Product.class, "CacheWarmUpTest", registry);
  }

  private static void meet(CyclicBarrier barrier) {
    try {
      barrier.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the other instance did not start warming", e);
    }
  }
}
