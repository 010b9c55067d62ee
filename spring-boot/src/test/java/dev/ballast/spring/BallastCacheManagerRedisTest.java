package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import dev.ballast.core.config.ConfigContext;

/** Spring's cache contract on the tiered cache, on a real Redis; two contexts stand for two instances. */
class BallastCacheManagerRedisTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  private static final AtomicInteger TESTS = new AtomicInteger();

  private RedisClient client;
  private ApplicationContextRunner runner;

  /** Counts its loads; the gate lets a test hold a load while others arrive. */
  public static class Catalog {
    final AtomicInteger loads = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Cacheable("products")
    public String product(String id) {
      loads.incrementAndGet();
      return "product " + id + " v" + loads.get();
    }

    @Cacheable(cacheNames = "products", sync = true)
    public String productOnce(String id) throws InterruptedException {
      loads.incrementAndGet();
      assertThat(gate.await(30, TimeUnit.SECONDS)).isTrue();
      return "product " + id;
    }

    @Cacheable("products")
    public String missing(String id) {
      loads.incrementAndGet();
      return null;
    }

    @CachePut(cacheNames = "products", key = "#id")
    public String rename(String id, String name) {
      return name;
    }

    @CacheEvict("products")
    public void forget(String id) {}

    public int loads() {
      return loads.get();
    }

    // Through a method: Spring's caching proxy is a subclass whose own fields are not the target's.
    public void hold(CountDownLatch gate) {
      this.gate = gate;
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class App {
    @Bean
    Catalog catalog() {
      return new Catalog();
    }
  }

  @BeforeEach
  void start(RedisServer redis) {
    client = RedisClient.create(redis.uri());
    runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .withBean(RedisClient.class, () -> client)
        .withPropertyValues("ballast.cache-manager.enabled=true", "ballast.caches.products.ttl=10m",
            "ballast.caches.products.l1Ttl=10m", "ballast.caches.products.maxLeaseWait=20s",
            "ballast.caches.products.leaseTtl=30s",
            "ballast.caches.products.keyPrefix=spring" + TESTS.incrementAndGet() + ":");
  }

  @AfterEach
  void stop() {
    client.shutdown();
  }

  @Test
  void springDataRedisConnectionFactorysClientIsUsedWhenThereIsNoRedisClientBean(RedisServer redis) {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .withBean(LettuceConnectionFactory.class,
            () -> new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port())))
        .withPropertyValues("ballast.cache-manager.enabled=true", "ballast.caches.products.keyPrefix=sdr:")
        .run(context -> {
          assertThat(context).hasNotFailed();
          RedisClient used = context.getBean(ConfigContext.class).resource("redis", RedisClient.class);
          assertThat(used).isSameAs(context.getBean(LettuceConnectionFactory.class).getNativeClient());
          Catalog catalog = context.getBean(Catalog.class);
          assertThat(catalog.product("1")).isEqualTo(catalog.product("1"));
          assertThat(catalog.loads()).isEqualTo(1);
          // Two levels: the value is in Redis, under the configured prefix.
          try (var connection = client.connect()) {
            assertThat(connection.sync().keys("sdr:*")).isNotEmpty();
          }
        });
  }

  @Test
  void aNegativeTtlIsRefusedNamingTheKey() {
    runner.withPropertyValues("ballast.caches.products.negativeTtl=30s").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining("ballast.caches.products.negativeTtl"));
  }

  @Test
  void valueTypesForUnknownCachesAreRefused() {
    runner.withPropertyValues("ballast.cache-manager.value-types.prodcuts=java.lang.String").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining("[prodcuts]"));
  }

  @Test
  void theCacheManagerServesTheConfiguredCaches() {
    runner.run(context -> {
      CacheManager manager = context.getBean(CacheManager.class);
      assertThat(manager).isInstanceOf(BallastCacheManager.class);
      assertThat(manager.getCacheNames()).containsExactly("products");
      assertThat(manager.getCache("no-such-cache")).isNull();
    });
  }

  @Test
  void aValueLoadedInOneContextIsServedFromRedisInTheOther() {
    runner.run(a -> runner.run(b -> {
      Catalog first = a.getBean(Catalog.class);
      Catalog second = b.getBean(Catalog.class);
      assertThat(first.product("1")).isEqualTo("product 1 v1");
      assertThat(first.product("1")).isEqualTo("product 1 v1");
      assertThat(second.product("1")).isEqualTo("product 1 v1");
      assertThat(first.loads() + second.loads()).isEqualTo(1);
    }));
  }

  @Test
  void aNullValueIsCachedAsAHit() {
    runner.run(a -> runner.run(b -> {
      assertThat(a.getBean(Catalog.class).missing("x")).isNull();
      assertThat(a.getBean(Catalog.class).missing("x")).isNull();
      assertThat(b.getBean(Catalog.class).missing("x")).isNull(); // through Redis: the marker, not a miss
      assertThat(a.getBean(Catalog.class).loads() + b.getBean(Catalog.class).loads()).isEqualTo(1);
    }));
  }

  @Test
  void cachePutReplacesTheValueAndCacheEvictMakesTheNextCallLoad() {
    runner.run(a -> runner.run(b -> {
      Catalog first = a.getBean(Catalog.class);
      Catalog second = b.getBean(Catalog.class);
      assertThat(second.product("7")).isEqualTo("product 7 v1"); // now in b's L1 for 10 minutes
      first.rename("7", "renamed");
      assertThat(first.product("7")).isEqualTo("renamed");
      // The put evicts b's L1 over pub/sub; b then reads the new value from Redis.
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "renamed".equals(second.product("7")));
      first.forget("7");
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> second.product("7").equals("product 7 v2"));
      assertThat(first.loads()).isZero();
    }));
  }

  @Test
  void syncLoadsOnceForTwoContextsAndManyThreads() throws Exception {
    runner.run(a -> runner.run(b -> {
      Catalog first = a.getBean(Catalog.class);
      Catalog second = b.getBean(Catalog.class);
      CountDownLatch gate = new CountDownLatch(1);
      first.hold(gate);
      second.hold(gate);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          Catalog catalog = i % 2 == 0 ? first : second;
          results.add(pool.submit(() -> catalog.productOnce("42")));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> first.loads() + second.loads() >= 1);
        gate.countDown();
        for (Future<String> result : results) {
          assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("product 42");
        }
        assertThat(first.loads() + second.loads()).isEqualTo(1);
      } finally {
        pool.shutdownNow();
      }
    }));
  }
}
