package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every wait of a miss is bounded by configuration and honours interruption: a caller of a key whose
 * load hangs in this JVM, a lease left without a TTL, an entry this version cannot read.
 */
@ExtendWith(RedisExtension.class)
class BoundedWaitTest {

  private static final AtomicInteger names = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger loads = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
    name = "bounded" + names.incrementAndGet();
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    client.shutdown();
  }

  private double count(String meter) {
    return registry.find(meter).functionCounter().count();
  }

  private String hangingLoad(String key) throws InterruptedException {
    loads.incrementAndGet();
    release.await(60, TimeUnit.SECONDS);
    return "late-" + key;
  }

  @Test
  void aCallerOfAKeyWhoseLoadHangsInThisJvmWaitsAtMostMaxLeaseWaitThenLoadsItself() throws Exception {
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .maxLeaseWait(Duration.ofMillis(300)).meterRegistry(registry).build()) {
      CompletableFuture<String> hung = CompletableFuture.supplyAsync(() -> cache.get("k", this::hangingLoad));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> loads.get() == 1);
      long start = System.nanoTime();
      CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> cache.get("k", key -> {
        loads.incrementAndGet();
        return "mine-" + key;
      }));
      assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("mine-k");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(hung).isNotDone();
      assertThat(loads).hasValue(2);
    }
  }

  @Test
  void anInterruptedCallerStopsWaitingForAnotherCallersLoadAndKeepsItsFlag() throws Exception {
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .maxLeaseWait(Duration.ofSeconds(30)).meterRegistry(registry).build()) {
      CompletableFuture.supplyAsync(() -> cache.get("k", this::hangingLoad));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> loads.get() == 1);
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flagKept = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          cache.get("k", this::hangingLoad);
        } catch (RuntimeException e) {
          thrown.set(e);
        }
        flagKept.set(Thread.currentThread().isInterrupted());
      });
      waiter.start();
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> waiter.getState() == Thread.State.TIMED_WAITING || waiter.getState() == Thread.State.WAITING);
      waiter.interrupt();
      waiter.join(10_000);
      assertThat(waiter.isAlive()).as("the interrupted caller returned").isFalse();
      assertThat(thrown.get()).isInstanceOf(CacheLoadException.class)
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(flagKept.get()).isTrue();
      assertThat(loads).hasValue(1);
    }
  }

  @Test
  void aLeaseWithoutTtlIsTakenOverAfterLeaseTtlWithFewPolls(RedisServer server) throws Exception {
    String leaseKey = "ballast:cache:" + name + ":{k}:l";
    redis.set(leaseKey, "crashed-holder"); // no TTL: left by a crash, or by hand
    redis.configResetstat();
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .leaseTtl(Duration.ofMillis(300)).maxLeaseWait(Duration.ofSeconds(20)).meterRegistry(registry).build()) {
      long start = System.nanoTime();
      CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> cache.get("k", key -> {
        loads.incrementAndGet();
        return "v-" + key;
      }));
      assertThat(got.get(15, TimeUnit.SECONDS)).isEqualTo("v-k");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(loads).hasValue(1);
      assertThat(count("ballast.cache.lease.takeovers")).isEqualTo(1);
      assertThat(count("ballast.cache.lease.wait.timeouts")).isZero();
      assertThat(redis.get("ballast:cache:" + name + ":{k}:v")).as("the taker-over fills Redis").endsWith("v-k");
      assertThat(scriptCalls()).as("lease polls").isLessThan(60);
    }
  }

  private long scriptCalls() {
    String stats = redis.info("commandstats");
    long calls = 0;
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        String part = line.substring(line.indexOf("calls=") + 6);
        calls += Long.parseLong(part.substring(0, part.indexOf(',')));
      }
    }
    return calls;
  }

  /** A value codec of another format: what an older or newer deploy wrote under the same cache. */
  private static final Codec<String> STRICT = new Codec<>() {
    @Override
    public byte[] encode(String value) {
      return ("v2|" + value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (!text.startsWith("v2|")) {
        throw new IllegalArgumentException("not a v2 value");
      }
      return text.substring(3);
    }
  };

  @Test
  void aFreshEntryThisVersionCannotReadGoesThroughTheLeaseAndIsReplacedByTheFirstFill(RedisServer server) throws Exception {
    List<String> keys = List.of("a", "b", "c");
    long nowMs = System.currentTimeMillis();
    for (String key : keys) {
      // Fresh by its header for an hour, written by a codec this deploy no longer reads.
      redis.set("ballast:cache:" + name + ":{" + key + "}:v",
          "BC1:" + nowMs + ":" + (nowMs + 3_600_000) + ":" + (nowMs + 3_600_000) + ":1:V\nv1-old-format");
    }
    List<RedisClient> clients = new ArrayList<>();
    List<TieredCache<String, String>> caches = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        RedisClient own = server.newClient();
        clients.add(own);
        caches.add(TieredCache.builder(name, Codec.utf8(), STRICT).redis(own).l1Ttl(Duration.ofMillis(20))
            .redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker())
            .maxLeaseWait(Duration.ofSeconds(10)).meterRegistry(i == 0 ? registry : new SimpleMeterRegistry())
            .build());
      }
      long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      List<Thread> threads = new ArrayList<>();
      AtomicInteger wrong = new AtomicInteger();
      for (TieredCache<String, String> cache : caches) {
        for (int t = 0; t < 3; t++) {
          Thread thread = new Thread(() -> {
            while (System.nanoTime() - until < 0) {
              for (String key : keys) {
                if (!("new-" + key).equals(cache.get(key, k -> {
                  loads.incrementAndGet();
                  return "new-" + k;
                }))) {
                  wrong.incrementAndGet();
                }
              }
            }
          });
          thread.start();
          threads.add(thread);
        }
      }
      for (Thread thread : threads) {
        thread.join(30_000);
      }
      assertThat(wrong).hasValue(0);
      assertThat(loads).as("one origin call per key across the fleet").hasValue(keys.size());
      for (String key : keys) {
        assertThat(redis.get("ballast:cache:" + name + ":{" + key + "}:v")).endsWith("\nv2|new-" + key);
      }
      assertThat(registry.find("ballast.cache.l2.errors").tag("reason", "corrupt").functionCounter().count())
          .isGreaterThanOrEqualTo(1);
    } finally {
      caches.forEach(TieredCache::close);
      clients.forEach(RedisClient::shutdown);
    }
  }
}
