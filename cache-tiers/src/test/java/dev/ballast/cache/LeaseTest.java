package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fleet lease seen from a waiter: another instance (here, a lease set by hand) holds the key. */
@ExtendWith(RedisExtension.class)
class LeaseTest {

  private static final AtomicInteger names = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger loads = new AtomicInteger();
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
    name = "lease" + names.incrementAndGet();
  }

  @AfterEach
  void tearDown() {
    client.shutdown();
  }

  private String load(String key) {
    loads.incrementAndGet();
    return "v-" + key;
  }

  private double count(String meter) {
    return registry.find(meter).functionCounter().count();
  }

  @Test
  void aWaiterTakesOverWhenTheHoldersLeaseExpires() {
    // A holder that crashed mid-load: its lease is there, no value will ever come. The lease expires only
    // once the waiter is seen waiting (a 300 ms lease set before build() could lapse before the first read
    // on a loaded machine), and a slow but healthy Redis must not count as an outage (Lenient).
    String lease = "ballast:cache:" + name + ":{k}:l";
    redis.set(lease, "someone-else", SetArgs.Builder.px(60_000));
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .maxLeaseWait(Duration.ofSeconds(10)).redisTimeout(Lenient.REDIS_TIMEOUT)
        .redisCircuitBreaker(Lenient.breaker()).meterRegistry(registry).build()) {
      CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> cache.get("k", this::load));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count("ballast.cache.lease.waits") == 1);
      redis.pexpire(lease, 1); // the crashed holder's lease runs out
      assertThat(waiter.join()).isEqualTo("v-k");
      assertThat(loads).hasValue(1);
      assertThat(count("ballast.cache.lease.waits")).isEqualTo(1);
      assertThat(count("ballast.cache.lease.takeovers")).isEqualTo(1);
      assertThat(count("ballast.cache.lease.wait.timeouts")).isZero();
      assertThat(redis.get("ballast:cache:" + name + ":{k}:v")).endsWith("v-k"); // the taker-over fills
    }
  }

  @Test
  void aWaiterThatFindsTheValueFilledMeanwhileDoesNotLoad() {
    redis.set("ballast:cache:" + name + ":{k}:l", "someone-else", SetArgs.Builder.px(10_000));
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .meterRegistry(registry).build();
        TieredCache<String, String> other = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
            .build()) {
      // The holder finishes (a put writes the value and ends the lease) while the waiter polls.
      java.util.concurrent.CompletableFuture<String> waiter = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> cache.get("k", this::load));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> count("ballast.cache.lease.waits") == 1);
      other.put("k", "from-holder");
      assertThat(waiter.join()).isEqualTo("from-holder");
      assertThat(loads).hasValue(0);
    }
  }

  @Test
  void noCallerWaitsLongerThanTheBoundAndThenLoadsWithoutWriting() {
    redis.set("ballast:cache:" + name + ":{k}:l", "someone-else", SetArgs.Builder.px(60_000));
    // A manual clock for L1 (lease waits run on real time): "kept in L1" cannot lapse between the two reads
    // on a loaded machine, as the default 100 ms L1 TTL on the system clock could.
    ManualTicker clock = new ManualTicker();
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .maxLeaseWait(Duration.ofMillis(300)).ticker(clock::read).redisTimeout(Lenient.REDIS_TIMEOUT)
        .redisCircuitBreaker(Lenient.breaker()).meterRegistry(registry).build()) {
      long start = System.nanoTime();
      assertThat(cache.get("k", this::load)).isEqualTo("v-k");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(count("ballast.cache.lease.wait.timeouts")).isEqualTo(1);
      assertThat(redis.get("ballast:cache:" + name + ":{k}:v")).as("only a lease holder writes Redis").isNull();
      assertThat(redis.get("ballast:cache:" + name + ":{k}:l")).isEqualTo("someone-else");
      assertThat(cache.get("k", this::load)).as("kept in L1").isEqualTo("v-k");
      assertThat(loads).hasValue(1);
    }
  }
}
