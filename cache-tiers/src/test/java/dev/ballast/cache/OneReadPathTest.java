package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The promises of {@code get} kept off its path: {@code getAll} with fleet leases, {@code spareOrigin}
 * and stale-if-error; stale-while-revalidate refreshed once per fleet; asynchronous callers that load
 * once and hold no thread while they wait; warm-up. Several instances, each on its own Lettuce client.
 */
@ExtendWith(RedisExtension.class)
class OneReadPathTest {

  private static final AtomicInteger names = new AtomicInteger();
  private final List<ExecutorService> pools = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();
  private TestFleet instances;
  private RedisClusterCommands<String, String> redis;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    instances = new TestFleet(server, "onepath" + names.incrementAndGet());
    redis = instances.redis;
    name = instances.name;
  }

  @AfterEach
  void tearDown() {
    instances.close();
    pools.forEach(ExecutorService::shutdownNow);
  }

  private List<TieredCache<String, String>> fleet(int size,
      UnaryOperator<TieredCacheBuilder<String, String>> options) {
    return instances.add(size, options);
  }

  private Map<String, String> loadAll(Set<String> keys) {
    loads.addAndGet(keys.size());
    Map<String, String> values = new HashMap<>();
    keys.forEach(key -> values.put(key, "v-" + key));
    return values;
  }

  @Test
  void getAllOnFourInstancesLoadsEachColdKeyOnceInTheFleet() throws Exception {
    List<TieredCache<String, String>> fleet = fleet(4, b -> b.maxLeaseWait(Duration.ofSeconds(20))
        .leaseTtl(Duration.ofSeconds(20)));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      keys.add("k" + i);
    }
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Map<String, String>>> results = new ArrayList<>();
    for (TieredCache<String, String> cache : fleet) {
      results.add(CompletableFuture.supplyAsync(() -> {
        try {
          start.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return cache.getAll(keys, this::loadAll);
      }, newPool(1)));
    }
    start.countDown();
    for (CompletableFuture<Map<String, String>> result : results) {
      Map<String, String> got = result.get(30, TimeUnit.SECONDS);
      assertThat(got).hasSize(50).containsEntry("k7", "v-k7");
    }
    assertThat(loads).as("one load per key across four instances").hasValue(50);
  }

  @Test
  void getAllSparesTheOriginLikeGet() {
    AtomicBoolean spare = new AtomicBoolean();
    TieredCache<String, String> cache = fleet(1, b -> b.spareOrigin(spare::get)).get(0);
    assertThat(cache.getAll(List.of("a"), this::loadAll)).containsEntry("a", "v-a");
    spare.set(true);
    assertThat(cache.getAll(List.of("a"), this::loadAll)).containsEntry("a", "v-a");
    assertThatThrownBy(() -> cache.getAll(List.of("a", "b"), this::loadAll))
        .isInstanceOf(OriginSparedException.class).hasMessageContaining("b");
    assertThat(loads).as("no bulk load while the origin is spared").hasValue(1);
  }

  @Test
  void getAllServesStaleIfErrorAndStaleWhileRevalidate() {
    TieredCache<String, String> ifError = fleet(1, b -> b.ttl(Duration.ofMillis(200))
        .staleIfError(Duration.ofMinutes(5))).get(0);
    assertThat(ifError.getAll(List.of("a", "b"), this::loadAll)).containsEntry("a", "v-a");
    awaitSoftExpiry("a");
    awaitSoftExpiry("b");
    assertThat(ifError.getAll(List.of("a", "b"), keys -> {
      throw new IllegalStateException("origin down");
    })).as("stale values, not the origin's error").containsEntry("a", "v-a").containsEntry("b", "v-b");
  }

  @Test
  void getAllServesStaleWhileRevalidating() {
    TieredCache<String, String> swr = fleet(1, b -> b.ttl(Duration.ofMillis(200))
        .staleWhileRevalidate(Duration.ofMinutes(5))).get(0);
    swr.getAll(List.of("a"), this::loadAll);
    awaitSoftExpiry("a");
    AtomicInteger refreshes = new AtomicInteger();
    assertThat(swr.getAll(List.of("a"), keys -> {
      refreshes.incrementAndGet();
      return Map.of("a", "new-a");
    })).containsEntry("a", "v-a");
    await().atMost(Duration.ofSeconds(10)).until(() -> inRedis("a").endsWith("new-a"));
    assertThat(refreshes).hasValue(1);
  }

  @Test
  void staleWhileRevalidateRefreshesOncePerFleet() {
    // A refreshed value stays fresh 3 s: long enough on a loaded machine for the second instance to ask.
    List<TieredCache<String, String>> fleet = fleet(2, b -> b.ttl(Duration.ofSeconds(3))
        .l1Ttl(Duration.ofSeconds(30)).staleWhileRevalidate(Duration.ofMinutes(5)));
    Loader<String, String> origin = key -> key + "@" + loads.incrementAndGet();
    assertThat(fleet.get(0).get("k", origin)).isEqualTo("k@1");
    assertThat(fleet.get(1).get("k", origin)).as("from Redis").isEqualTo("k@1");
    awaitSoftExpiry("k");
    assertThat(fleet.get(0).get("k", origin)).as("stale, refreshing").isEqualTo("k@1");
    await().atMost(Duration.ofSeconds(10)).until(() -> inRedis("k").endsWith("k@2"));
    // The other instance serves its own stale L1 entry; its refresh finds the fleet's refresh in Redis.
    assertThat(fleet.get(1).get("k", origin)).isIn("k@1", "k@2");
    await().atMost(Duration.ofSeconds(10)).until(() -> "k@2".equals(fleet.get(1).get("k", origin)));
    assertThat(loads).as("one refresh in the fleet").hasValue(2);
  }

  @Test
  void concurrentAsyncCallersOfAColdKeyWithoutRedisLoadOnce() throws Exception {
    ExecutorService oneThread = newPool(1);
    TieredCache<String, String> cache = instances.add(false, b -> b.executor(oneThread));
    CountDownLatch release = new CountDownLatch(1);
    // The pool's one thread is busy until every caller has asked: their misses queue behind it.
    oneThread.execute(() -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      results.add(cache.getAsyncWithBlockingLoader("k", key -> "v" + loads.incrementAndGet()));
    }
    release.countDown();
    for (CompletableFuture<String> result : results) {
      assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void hundredColdKeysOnEightCachesSharingASmallPoolLoadAboutOnceEach() throws Exception {
    ExecutorService pool = newPool(4);
    ScheduledExecutorService origin = Executors.newSingleThreadScheduledExecutor();
    pools.add(origin);
    // Generous lease bounds: on a loaded machine a 2 s wait could lapse and rightly load a second time.
    List<TieredCache<String, String>> fleet = fleet(8, b -> b.executor(pool).maxLeaseWait(Duration.ofSeconds(30))
        .leaseTtl(Duration.ofSeconds(30)));
    AsyncLoader<String, String> slow = key -> {
      loads.incrementAndGet();
      CompletableFuture<String> value = new CompletableFuture<>();
      origin.schedule(() -> value.complete("v-" + key), 100, TimeUnit.MILLISECONDS);
      return value;
    };
    long start = System.nanoTime();
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      for (TieredCache<String, String> cache : fleet) {
        results.add(cache.getAsync("k" + i, slow));
      }
    }
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("v-k" + (i / 8));
    }
    assertThat(loads.get()).as("about one load per key, not one per cache").isBetween(100, 110);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void warmLoadsEachKeyOnceAcrossTheFleetAndNothingWhileSpared() throws Exception {
    AtomicBoolean spare = new AtomicBoolean();
    List<TieredCache<String, String>> fleet = fleet(2, b -> b.spareOrigin(spare::get)
        .maxLeaseWait(Duration.ofSeconds(20)));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      keys.add("w" + i);
    }
    spare.set(true);
    assertThat(fleet.get(0).warm(keys, this::loadAll).get(10, TimeUnit.SECONDS)).isZero();
    spare.set(false);
    CompletableFuture<Integer> first = fleet.get(0).warm(keys, this::loadAll);
    CompletableFuture<Integer> second = fleet.get(1).warm(keys, this::loadAll);
    assertThat(first.get(30, TimeUnit.SECONDS) + second.get(30, TimeUnit.SECONDS)).isEqualTo(20);
    assertThat(loads).hasValue(20);
    for (TieredCache<String, String> cache : fleet) {
      assertThat(cache.get("w3", key -> "loaded-again")).isEqualTo("v-w3");
    }
    assertThat(inRedis("w19")).endsWith("v-w19");
  }

  /**
   * Two instances warming the same 3,000 keys at once: the keys go in chunks (one bulk-loader call, one
   * {@code MGET} and one lease call per chunk of {@code warmUpChunk}), so no call carries thousands of
   * keys past {@code redisTimeout}, and the fleet loads each key once (leases long enough for a loaded
   * machine: a lapsed one is taken over and its chunk loaded twice). {@code warmUp} waits its bound.
   */
  @Test
  void warmChunksLargeKeySetsAndTwoInstancesLoadEachKeyOnce() throws Exception {
    List<TieredCache<String, String>> fleet = fleet(2, b -> b.maxLeaseWait(Duration.ofSeconds(60))
        .leaseTtl(Duration.ofSeconds(60)).warmUpChunk(100).warmUpWait(Duration.ofSeconds(60)));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      keys.add("big" + i);
    }
    AtomicInteger largestCall = new AtomicInteger();
    BulkLoader<String, String> loader = asked -> {
      largestCall.accumulateAndGet(asked.size(), Math::max);
      return loadAll(asked);
    };
    CompletableFuture<Integer> first = fleet.get(0).warm(keys, loader);
    int second = fleet.get(1).warmUp(keys, loader);
    assertThat(first.get(60, TimeUnit.SECONDS) + second).isEqualTo(3_000);
    assertThat(largestCall.get()).as("keys in one bulk-loader call").isLessThanOrEqualTo(100);
    assertThat(loads).hasValue(3_000);
    assertThat(inRedis("big2999")).endsWith("v-big2999");
  }

  /**
   * A bulk read fills the keys whose lease it took before it waits for the keys another instance holds:
   * two {@code getAll}s (or warm-ups) each holding some of the other's keys no longer wait for each other
   * until {@code maxLeaseWait} and then load everything twice.
   */
  @Test
  void aBulkReadFillsItsOwnLeasesBeforeWaitingForAnotherInstances() throws Exception {
    List<TieredCache<String, String>> fleet = fleet(2, b -> b.maxLeaseWait(Duration.ofSeconds(30))
        .leaseTtl(Duration.ofSeconds(30)));
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> holder = CompletableFuture.supplyAsync(() -> fleet.get(1).get("k2", key -> {
      loads.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "v-" + key;
    }), newPool(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> loads.get() == 1); // instance 1 holds k2's lease
    CompletableFuture<Map<String, String>> bulk = CompletableFuture.supplyAsync(
        () -> fleet.get(0).getAll(List.of("k1", "k2"), this::loadAll), newPool(1));
    // k1 is filled while k2 is still held elsewhere (before: k1's lease was held, unloaded, for the wait).
    await().atMost(Duration.ofSeconds(10)).until(() -> inRedis("k1").endsWith("v-k1"));
    assertThat(bulk).isNotDone();
    release.countDown();
    assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("v-k2");
    assertThat(bulk.get(30, TimeUnit.SECONDS)).containsEntry("k1", "v-k1").containsEntry("k2", "v-k2");
    assertThat(loads).hasValue(2);
  }

  private ExecutorService newPool(int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    pools.add(pool);
    return pool;
  }

  private String inRedis(String key) {
    return instances.inRedis(key);
  }

  /** Waits (polling, bounded) until the Redis entry of {@code key} is past its soft expiry by Redis's clock. */
  private void awaitSoftExpiry(String key) {
    String header = inRedis(key);
    long softMs = Long.parseLong(header.split(":")[2]);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<String> time = redis.time();
      return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000 > softMs + 5;
    });
  }
}
