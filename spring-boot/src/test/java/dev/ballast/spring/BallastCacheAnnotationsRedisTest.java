package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.cache.annotation.CacheEvict;
import dev.ballast.cache.annotation.Cached;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Ballast's own cache annotations on Spring beans, two contexts sharing one Redis. */
class BallastCacheAnnotationsRedisTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  /** A class bean. */
  public static class Prices {
    final AtomicInteger loads = new AtomicInteger();

    @Cached("prices")
    public String price(String sku) {
      return sku + " costs " + loads.incrementAndGet();
    }

    @CacheEvict("prices")
    public void changed(String sku) {}

    public int loads() {
      return loads.get();
    }
  }

  /** The annotations on an interface. */
  public interface Stock {
    @Cached("stock")
    String level(String sku);
  }

  public static class StockImpl implements Stock {
    static final AtomicInteger LOADS = new AtomicInteger();

    @Override
    public String level(String sku) {
      return sku + " x" + LOADS.incrementAndGet();
    }
  }

  @Test
  void cachedAndCacheEvictOnClassAndInterfaceBeansAcrossTwoContexts(RedisServer redis) {
    RedisClient client = RedisClient.create(redis.uri());
    try {
      ApplicationContextRunner runner = new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
          .withBean(RedisClient.class, () -> client)
          .withBean(Prices.class)
          .withBean("stock", Stock.class, StockImpl::new)
          .withPropertyValues("ballast.caches.prices.ttl=10m", "ballast.caches.prices.l1Ttl=10m",
              "ballast.caches.prices.keyPrefix=annotated-prices:", "ballast.caches.stock.ttl=10m",
              "ballast.caches.stock.keyPrefix=annotated-stock:");
      runner.run(a -> runner.run(b -> {
        Prices first = a.getBean(Prices.class);
        Prices second = b.getBean(Prices.class);
        assertThat(first.price("p1")).isEqualTo("p1 costs 1");
        assertThat(second.price("p1")).isEqualTo("p1 costs 1"); // from Redis: b never loads
        assertThat(second.loads()).isZero();

        first.changed("p1"); // invalidates Redis and b's L1
        // b's next read misses everywhere and loads its own value once the eviction has reached it.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
          second.price("p1");
          return second.loads() == 1;
        });
        assertThat(first.price("p1")).isEqualTo("p1 costs 1"); // b's fresh value, now in Redis
        assertThat(first.loads()).isEqualTo(1);

        assertThat(a.getBean(Stock.class).level("s1")).isEqualTo(b.getBean(Stock.class).level("s1"));
        assertThat(StockImpl.LOADS.get()).isEqualTo(1);
      }));
    } finally {
      client.shutdown();
    }
  }
}
