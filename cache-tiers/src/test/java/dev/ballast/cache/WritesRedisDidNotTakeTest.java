package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Ticker;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A put or invalidate that Redis did not apply (refused for memory, slower than redisTimeout, made while
 * Redis was down) is never reported as applied and never lets an instance serve the value it replaced:
 * three instances, each on its own Lettuce client, against one Redis that keeps its data (AOF) across a
 * restart, as a production Redis with persistence does.
 */
class WritesRedisDidNotTakeTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  private static final AtomicInteger names = new AtomicInteger();
  /** The source of truth the loaders read; writers update it before they write the cache. */
  private final Map<String, String> origin = new ConcurrentHashMap<>();
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<TieredCache<String, String>> caches = new ArrayList<>();
  private final List<SimpleMeterRegistry> registries = new ArrayList<>();
  private RedisCommands<String, String> redis;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    name = "untaken" + names.incrementAndGet();
    RedisClient admin = server.newClient();
    clients.add(admin);
    // A server busy with the previous test's large append-only write may take over a second to connect.
    redis = await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> admin.connect().sync(),
        connection -> connection != null);
  }

  @AfterEach
  void tearDown(RedisServer server) {
    if (server.isRunning() && !server.isPaused()) {
      try {
        redis.configSet("maxmemory", "0");
      } catch (RuntimeException ignored) {
        // the server may be restarting: its config is fresh then
      }
    }
    caches.forEach(TieredCache::close);
    clients.forEach(RedisClient::shutdown);
  }

  private List<TieredCache<String, String>> fleet(RedisServer server, int size, Duration redisTimeout,
      int maxEncodedSize) {
    for (int i = 0; i < size; i++) {
      RedisClient client = server.newClient();
      clients.add(client);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      registries.add(registry);
      caches.add(TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).meterRegistry(registry)
          .l1Ttl(Duration.ofMillis(100)).redisTimeout(redisTimeout).maxEncodedSize(maxEncodedSize).build());
    }
    return caches;
  }

  private String load(String key) {
    return origin.get(key);
  }

  private String valueKey(String key) {
    return "ballast:cache:" + name + ":{" + key + "}:v";
  }

  private static double count(SimpleMeterRegistry registry, String meter) {
    return registry.find(meter).functionCounter().count();
  }

  @Test
  void aPutRefusedForMemoryLeavesNoInstanceServingTheOldValue(RedisServer server) {
    List<TieredCache<String, String>> fleet = fleet(server, 3, Duration.ofMillis(250), 1 << 20);
    origin.put("k", "v1");
    for (TieredCache<String, String> cache : fleet) {
      assertThat(cache.get("k", this::load)).isEqualTo("v1");
    }
    assertThat(redis.get(valueKey("k"))).endsWith("v1");
    redis.configSet("maxmemory-policy", "noeviction");
    redis.configSet("maxmemory", "1"); // every write that needs memory is refused with OOM; DEL is not
    origin.put("k", "v2");

    WriteResult result = fleet.get(0).put("k", "v2");

    assertThat(result).isEqualTo(WriteResult.INVALIDATED);
    // A refused write is a data error of that call (OOM, reported through the write script), not an outage.
    assertThat(registries.get(0).find("ballast.redis.errors").counters())
        .extracting(counter -> counter.getId().getTag("kind")).containsAnyOf("oom", "script")
        .doesNotContain("connection", "timeout", "unavailable");
    assertThat(redis.exists(valueKey("k"))).as("the older value is gone from Redis").isZero();
    // l1Ttl is 100 ms and the subscription is up: 250 ms later every instance, the writer too, has v2.
    long deadline = System.nanoTime() + Duration.ofMillis(250).toNanos();
    await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - deadline >= 0);
    for (TieredCache<String, String> cache : fleet) {
      assertThat(cache.get("k", this::load)).isEqualTo("v2");
    }
  }

  @Test
  void aPutWhoseWriteOutlivesTheTimeoutIsDeferredThenReplayed(RedisServer server) {
    List<TieredCache<String, String>> fleet = fleet(server, 3, Duration.ofMillis(20), 64 << 20);
    origin.put("k", "v1");
    for (TieredCache<String, String> cache : fleet) {
      assertThat(cache.get("k", this::load)).isEqualTo("v1");
    }
    // 48 MiB: sending it and the script's copy of it take Redis far longer than the 20 ms redisTimeout.
    String large = "v2" + "x".repeat(48 << 20);
    origin.put("k", large);

    WriteResult result = fleet.get(0).put("k", large);

    assertThat(result).as("Redis did not answer in time: not reported as applied").isEqualTo(WriteResult.DEFERRED);
    SimpleMeterRegistry writer = registries.get(0);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> count(writer, "ballast.cache.invalidations.replayed") == 1);
    assertThat(count(writer, "ballast.cache.invalidations.deferred")).isEqualTo(1);
    assertThat(redis.exists(valueKey("k"))).as("replayed: the key is deleted (the late write included)").isZero();
    for (TieredCache<String, String> cache : fleet) {
      await().atMost(Duration.ofSeconds(5)).until(() -> large.equals(cache.get("k", this::load)));
    }
    // Redis fsyncs the large write to its append-only file: let it finish before the next test connects.
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> "PONG".equals(redis.ping()));
  }

  @Test
  void writesMadeWhileRedisIsDownAreNotUndoneWhenItComesBackWithItsData(RedisServer server) {
    List<TieredCache<String, String>> fleet = fleet(server, 3, Duration.ofMillis(250), 1 << 20);
    origin.put("put", "v1");
    origin.put("gone", "v1");
    origin.put("all", "v1");
    for (TieredCache<String, String> cache : fleet) {
      assertThat(cache.get("put", this::load)).isEqualTo("v1");
      assertThat(cache.get("gone", this::load)).isEqualTo("v1");
      assertThat(cache.get("all", this::load)).isEqualTo("v1");
    }
    server.stop(); // AOF: both keys come back with v1

    origin.put("put", "v2");
    assertThat(fleet.get(0).put("put", "v2")).isEqualTo(WriteResult.DEFERRED);
    origin.put("gone", "v2");
    assertThat(fleet.get(1).invalidate("gone")).isEqualTo(WriteResult.DEFERRED);
    origin.put("all", "v2");
    assertThat(fleet.get(2).invalidateAll()).isEqualTo(WriteResult.DEFERRED);
    // The writers read their own writes at once; the others within l1TtlWhileDisconnected (1 s).
    assertThat(fleet.get(0).get("put", this::load)).isEqualTo("v2");
    assertThat(fleet.get(1).get("gone", this::load)).isEqualTo("v2");
    for (TieredCache<String, String> cache : fleet) {
      await().atMost(Duration.ofSeconds(3)).until(() -> "v2".equals(cache.get("put", this::load))
          && "v2".equals(cache.get("gone", this::load)));
    }

    server.start();
    // Until they replayed, the writers do not read Redis (which holds v1 again): they read their writes.
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      assertThat(fleet.get(0).get("put", this::load)).isEqualTo("v2");
      assertThat(fleet.get(1).get("gone", this::load)).isEqualTo("v2");
      return count(registries.get(0), "ballast.cache.invalidations.replayed") == 1
          && count(registries.get(1), "ballast.cache.invalidations.replayed") == 1
          && count(registries.get(2), "ballast.cache.invalidations.replayed") == 1;
    });
    // Replayed before the writers read Redis again: from here on no instance ever sees v1.
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() - until < 0) {
      for (TieredCache<String, String> cache : fleet) {
        assertThat(cache.get("put", this::load)).isEqualTo("v2");
        assertThat(cache.get("gone", this::load)).isEqualTo("v2");
        assertThat(cache.get("all", this::load)).isEqualTo("v2");
      }
    }
    assertThat(redis.get(valueKey("put"))).as("Redis no longer holds v1").satisfiesAnyOf(
        value -> assertThat(value).isNull(), value -> assertThat(value).endsWith("v2"));
    assertThat(redis.get(valueKey("gone"))).satisfiesAnyOf(
        value -> assertThat(value).isNull(), value -> assertThat(value).endsWith("v2"));
  }

  @Test
  void aMissThatReadL1BeforeAPutDoesNotStoreTheOlderValueAfterIt(RedisServer server) throws Exception {
    // The miss's thread stops on its second clock read: after it read L1, before it asks Redis.
    ManualTicker now = new ManualTicker(1);
    AtomicReference<Thread> hooked = new AtomicReference<>();
    AtomicInteger hookedReads = new AtomicInteger();
    CountDownLatch inMiss = new CountDownLatch(1);
    CountDownLatch putDone = new CountDownLatch(1);
    Ticker ticker = () -> {
      if (Thread.currentThread() == hooked.get() && hookedReads.incrementAndGet() == 2) {
        inMiss.countDown();
        try {
          putDone.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return now.read();
    };
    RedisClient client = server.newClient();
    clients.add(client);
    TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .ticker(ticker).l1Ttl(Duration.ofMillis(100)).keepL1DuringOutage(true).build();
    caches.add(cache);
    origin.put("k", "v1");
    assertThat(cache.get("k", this::load)).isEqualTo("v1");
    server.stop();
    now.advance(Duration.ofMillis(200)); // past l1Ttl, well within ttl: L1's copy is kept

    CompletableFuture<String> miss = CompletableFuture.supplyAsync(() -> {
      hooked.set(Thread.currentThread());
      return cache.get("k", this::load);
    });
    assertThat(inMiss.await(10, TimeUnit.SECONDS)).isTrue();
    origin.put("k", "v2");
    cache.put("k", "v2");
    putDone.countDown();
    miss.get(10, TimeUnit.SECONDS); // began before the put completed: either value is right for it

    assertThat(cache.get("k", this::load)).as("read after our own completed put").isEqualTo("v2");
    server.start(); // Redis comes back with v1 (AOF): still not read here, the put's delete is replayed first
    assertThat(cache.get("k", this::load)).isEqualTo("v2");
  }
}
