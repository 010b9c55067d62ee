package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.cache.annotation.CacheEvict;
import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @CacheEvict} through the real invalidation channel, on two instances sharing one Redis. */
@ExtendWith(RedisExtension.class)
class CacheEvictTest {

  public interface Prices {
    @Cached("prices")
    String price(String sku);

    @CacheEvict(value = "prices", key = "{0}")
    void setPrice(String sku, String price);

    @CacheEvict(value = "prices", key = "{0}")
    CompletionStage<Void> setPriceAsync(String sku, String price);

    @CacheEvict(value = "prices", allEntries = true)
    void reprice(String price);
  }

  /** One database behind both instances; a price of "fail" makes the write fail. */
  static final class Database implements Prices {
    final Map<String, String> rows = new ConcurrentHashMap<>();
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public String price(String sku) {
      reads.incrementAndGet();
      return rows.getOrDefault(sku, "unpriced");
    }

    @Override
    public void setPrice(String sku, String price) {
      if (price.equals("fail")) {
        throw new IllegalStateException("write refused");
      }
      rows.put(sku, price);
    }

    @Override
    public CompletionStage<Void> setPriceAsync(String sku, String price) {
      if (price.equals("fail")) {
        return CompletableFuture.failedFuture(new IllegalStateException("async write refused"));
      }
      return CompletableFuture.runAsync(() -> rows.put(sku, price));
    }

    @Override
    public void reprice(String price) {
      rows.replaceAll((sku, old) -> price);
    }
  }

  private static final AtomicInteger names = new AtomicInteger();
  // Manual clocks: L1 never expires by itself, so only an invalidation can change what an instance serves.
  private final ManualTicker now = new ManualTicker();
  private final Database database = new Database();
  private RedisClient clientA;
  private RedisClient clientB;
  private RedisCommands<String, String> redis;
  private TieredCache<String, String> cacheA;
  private TieredCache<String, String> cacheB;
  private Prices a;
  private Prices b;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    name = "evict" + names.incrementAndGet();
    clientA = server.newClient();
    clientB = server.newClient();
    redis = clientA.connect().sync();
    cacheA = builder(clientA).build();
    cacheB = builder(clientB).build();
    a = Wrapper.wrap(Prices.class, database, Registry.builder().add("prices", cacheA).build());
    b = Wrapper.wrap(Prices.class, database, Registry.builder().add("prices", cacheB).build());
    database.rows.put("sku-1", "10");
    database.rows.put("sku-2", "20");
  }

  @AfterEach
  void tearDown() {
    cacheA.close();
    cacheB.close();
    clientA.shutdown();
    clientB.shutdown();
  }

  private TieredCacheBuilder<String, String> builder(RedisClient client) {
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client).ticker(now::read)
        .redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker());
  }

  private boolean inRedis(String sku) {
    return redis.exists("ballast:cache:" + name + ":{" + sku + "}:v") == 1;
  }

  private void warmBoth() {
    assertThat(a.price("sku-1")).isEqualTo("10");
    assertThat(b.price("sku-1")).isEqualTo("10");
    assertThat(a.price("sku-2")).isEqualTo("20");
    assertThat(b.price("sku-2")).isEqualTo("20");
    assertThat(database.reads).as("B read what A loaded from Redis").hasValue(2);
  }

  @Test
  void aSuccessfulWriteEvictsTheKeyOnEveryInstance() {
    warmBoth();
    b.setPrice("sku-1", "11");
    assertThat(inRedis("sku-1")).isFalse();
    assertThat(b.price("sku-1")).isEqualTo("11");
    await().atMost(Duration.ofSeconds(10)).until(() -> a.price("sku-1").equals("11"));
    assertThat(a.price("sku-2")).as("other keys stay").isEqualTo("20");
  }

  @Test
  void aFailedWriteEvictsNothing() {
    warmBoth();
    database.rows.put("sku-1", "changed behind the cache");
    assertThatThrownBy(() -> b.setPrice("sku-1", "fail")).isInstanceOf(IllegalStateException.class)
        .hasMessage("write refused");
    assertThat(inRedis("sku-1")).isTrue();
    assertThat(b.price("sku-1")).isEqualTo("10");
    assertThat(a.price("sku-1")).isEqualTo("10");
    assertThat(database.reads).hasValue(2);
  }

  @Test
  void anAsyncWriteEvictsOnlyOnceItsStageSucceeded() throws Exception {
    warmBoth();
    CompletionStage<Void> failed = b.setPriceAsync("sku-1", "fail");
    assertThatThrownBy(() -> failed.toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().hasMessage("async write refused");
    assertThat(inRedis("sku-1")).isTrue();

    b.setPriceAsync("sku-1", "12").toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(inRedis("sku-1")).as("evicted before the caller's stage completed").isFalse();
    assertThat(b.price("sku-1")).isEqualTo("12");
    await().atMost(Duration.ofSeconds(10)).until(() -> a.price("sku-1").equals("12"));
  }

  @Test
  void allEntriesEvictsEveryKeyOnEveryInstance() {
    warmBoth();
    b.reprice("99");
    assertThat(inRedis("sku-1")).isFalse();
    assertThat(inRedis("sku-2")).isFalse();
    assertThat(b.price("sku-2")).isEqualTo("99");
    await().atMost(Duration.ofSeconds(10)).until(() -> a.price("sku-1").equals("99") && a.price("sku-2").equals("99"));
  }

  @Test
  void aNullKeyArgumentFailsBeforeTheWrite() {
    assertThatThrownBy(() -> b.setPrice(null, "5")).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("@CacheEvict on Prices.setPrice").hasMessageContaining("argument 0 (sku)");
    assertThat(database.rows).hasSize(2).containsEntry("sku-1", "10");
  }
}
