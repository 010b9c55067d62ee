package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Four instances (own Lettuce clients, one Redis) under a crowd of concurrent misses. */
@ExtendWith(RedisExtension.class)
class StampedeTest {

  private static final int INSTANCES = 4;
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<TieredCache<String, String>> caches = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  void start(RedisServer server, String name) {
    for (int i = 0; i < INSTANCES; i++) {
      RedisClient client = server.newClient();
      clients.add(client);
      caches.add(TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
          .maxLeaseWait(Duration.ofSeconds(30)).leaseTtl(Duration.ofSeconds(30))
          .redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker())
          .meterRegistry(i == 0 ? registry : new SimpleMeterRegistry()).build());
    }
  }

  @AfterEach
  void tearDown() {
    caches.forEach(TieredCache::close);
    clients.forEach(RedisClient::shutdown);
  }

  @Test
  void thousandCallersOnOneColdKeyLoadItOnce(RedisServer server) throws Exception {
    start(server, "stampede-one");
    int callers = 1000;
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch allCalling = new CountDownLatch(callers);
    Loader<String, String> slowOrigin = key -> {
      loads.incrementAndGet();
      // Hold the load until every caller has asked, so they all pile up on it.
      allCalling.await(20, TimeUnit.SECONDS);
      return "value-of-" + key;
    };
    List<Thread> threads = new ArrayList<>();
    Set<String> results = ConcurrentHashMap.newKeySet();
    AtomicInteger failures = new AtomicInteger();
    for (int i = 0; i < callers; i++) {
      TieredCache<String, String> cache = caches.get(i % INSTANCES);
      Thread thread = new Thread(() -> {
        allCalling.countDown();
        try {
          results.add(cache.get("hot", slowOrigin));
        } catch (RuntimeException e) {
          failures.incrementAndGet();
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    assertThat(failures).hasValue(0);
    assertThat(loads).hasValue(1);
    assertThat(results).containsExactly("value-of-hot");
  }

  @Test
  void manyKeysAtOnceLoadEachKeyOnce(RedisServer server) throws Exception {
    start(server, "stampede-many");
    int keys = 200;
    ConcurrentHashMap<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    Loader<String, String> origin = key -> {
      loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return "value-of-" + key;
    };
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<String>> calls = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int round = 0; round < 5; round++) {
        for (int k = 0; k < keys; k++) {
          for (int i = 0; i < INSTANCES; i++) {
            TieredCache<String, String> cache = caches.get(i);
            String key = "k" + k;
            calls.add(pool.submit(() -> {
              go.await();
              return cache.get(key, origin);
            }));
          }
        }
      }
      go.countDown();
      for (Future<String> call : calls) {
        assertThat(call.get(30, TimeUnit.SECONDS)).startsWith("value-of-k");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(loads).hasSize(keys);
    assertThat(loads.values()).allSatisfy(count -> assertThat(count).hasValue(1));
    assertThat(registry.find("ballast.cache.lease.wait.timeouts").functionCounter().count()).isZero();
  }
}
