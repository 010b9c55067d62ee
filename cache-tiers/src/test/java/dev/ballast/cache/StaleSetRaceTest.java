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
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stale-set race, interleaved by latches: a load reads the origin's old value, a write (or an
 * invalidation) of the key lands, then the load finishes. Its old value must be stored in neither tier.
 */
@ExtendWith(RedisExtension.class)
class StaleSetRaceTest {

  private static final AtomicInteger names = new AtomicInteger();
  private final ManualTicker now = new ManualTicker();
  private final SimpleMeterRegistry registryA = new SimpleMeterRegistry();
  private RedisClient clientA;
  private RedisClient clientB;
  private RedisCommands<String, String> redis;
  private TieredCache<String, String> a;
  private TieredCache<String, String> b;
  private String name;
  private final CountDownLatch loading = new CountDownLatch(1);
  private final CountDownLatch proceed = new CountDownLatch(1);

  @BeforeEach
  void setUp(RedisServer server) {
    name = "race" + names.incrementAndGet();
    clientA = server.newClient();
    clientB = server.newClient();
    redis = clientA.connect().sync();
    // A manual ticker: L1 never expires by itself, so whatever L1 holds at the end is what it would serve.
    a = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(clientA).ticker(now::read)
        .meterRegistry(registryA).build();
    b = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(clientB).ticker(now::read).build();
  }

  @AfterEach
  void tearDown() {
    a.close();
    b.close();
    clientA.shutdown();
    clientB.shutdown();
  }

  /** Starts a load on A that reads "old" and then waits until the test lets it finish. */
  private CompletableFuture<String> slowLoadOnA() throws InterruptedException {
    CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> a.get("k", key -> {
      loading.countDown();
      proceed.await(10, TimeUnit.SECONDS);
      return "old";
    }));
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
    return result;
  }

  private String valueInRedis() {
    String stored = redis.get("ballast:cache:" + name + ":{k}:v");
    return stored == null ? null : stored.substring(stored.indexOf('\n') + 1);
  }

  private double fillsRejected() {
    return registryA.find("ballast.cache.fills.rejected").functionCounter().count();
  }

  @Test
  void writeOnAnotherInstanceDuringALoadWins() throws Exception {
    CompletableFuture<String> load = slowLoadOnA();
    b.put("k", "new");
    await().atMost(Duration.ofSeconds(5)).until(
        () -> registryA.find("ballast.cache.invalidations.received").functionCounter().count() == 1);
    proceed.countDown();
    assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("old"); // its caller asked before the write
    assertThat(valueInRedis()).isEqualTo("new");
    assertThat(fillsRejected()).isEqualTo(1);
    assertThat(a.get("k", key -> "reloaded")).isEqualTo("new");
    assertThat(b.get("k", key -> "reloaded")).isEqualTo("new");
  }

  @Test
  void writeOnTheSameInstanceDuringALoadWins() throws Exception {
    CompletableFuture<String> load = slowLoadOnA();
    a.put("k", "new");
    proceed.countDown();
    assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(valueInRedis()).isEqualTo("new");
    assertThat(a.get("k", key -> "reloaded")).isEqualTo("new");
    assertThat(fillsRejected()).isEqualTo(1);
  }

  @Test
  void invalidationOnAnotherInstanceDuringALoadIsNotUndone() throws Exception {
    CompletableFuture<String> load = slowLoadOnA();
    b.invalidate("k");
    proceed.countDown();
    assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(valueInRedis()).isNull();
    assertThat(fillsRejected()).isEqualTo(1);
    // Neither tier kept "old": the next read loads again, whenever the message reaches A.
    assertThat(a.get("k", key -> "fresh")).isEqualTo("fresh");
    assertThat(b.get("k", key -> "other")).isEqualTo("fresh");
  }

  @Test
  void writeThenInvalidateDuringALoadLeavesNothingOld() throws Exception {
    CompletableFuture<String> load = slowLoadOnA();
    b.put("k", "new");
    b.invalidate("k");
    proceed.countDown();
    assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(valueInRedis()).isNull();
    assertThat(a.get("k", key -> "fresh")).isEqualTo("fresh");
  }

  @Test
  void callersArrivingAfterALocalWriteDoNotJoinTheOlderLoad() throws Exception {
    CompletableFuture<String> load = slowLoadOnA();
    a.put("k", "new");
    // A new caller after the write must not wait for (and get) the load that began before it.
    assertThat(a.get("k", key -> "unused")).isEqualTo("new");
    proceed.countDown();
    load.get(10, TimeUnit.SECONDS);
    assertThat(a.get("k", key -> "unused")).isEqualTo("new");
  }
}
