package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Stale-while-revalidate, stale-if-error, XFetch early refresh and sparing the origin. */
@ExtendWith(RedisExtension.class)
class StaleServingTest {

  private static final AtomicInteger names = new AtomicInteger();
  private final ManualTicker now = new ManualTicker();
  private final AtomicInteger loads = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private RedisClient client;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    name = "stale" + names.incrementAndGet();
  }

  @AfterEach
  void tearDown() {
    client.shutdown();
  }

  private TieredCacheBuilder<String, String> localOnly() {
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).ticker(now::read).ttlJitter(0)
        .meterRegistry(registry).executor(Runnable::run).ttl(Duration.ofSeconds(10));
  }

  private String versioned(String key) {
    return key + "-v" + loads.incrementAndGet();
  }

  private void advance(Duration d) {
    now.advance(d);
  }

  @Test
  void staleWhileRevalidateServesTheOldValueOnceAndRefreshesOnce() {
    try (TieredCache<String, String> cache = localOnly().staleWhileRevalidate(Duration.ofSeconds(20)).build()) {
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v1");
      advance(Duration.ofSeconds(15));
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v1"); // stale, refresh started
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v2");
      assertThat(loads).hasValue(2);
      assertThat(registry.find("ballast.cache.stale.serves").functionCounter().count()).isEqualTo(1);
      advance(Duration.ofSeconds(40)); // beyond the hard TTL: nothing stale to serve
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v3");
    }
  }

  @Test
  void staleIfErrorServesTheOldValueOnlyWhenTheOriginFailsAndOnlyUntilTheHardTtl() {
    Loader<String, String> failing = key -> {
      throw new java.io.IOException("origin down");
    };
    try (TieredCache<String, String> cache = localOnly().staleIfError(Duration.ofSeconds(20)).build()) {
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v1");
      advance(Duration.ofSeconds(15));
      assertThat(cache.get("k", failing)).isEqualTo("k-v1");
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v2"); // a working origin is asked
      advance(Duration.ofSeconds(31));
      assertThatThrownBy(() -> cache.get("k", failing)).isInstanceOf(CacheLoadException.class);
    }
  }

  @Test
  void staleWhileRevalidateThroughRedisRefreshesInTheBackground() {
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .ttl(Duration.ofMillis(300)).staleWhileRevalidate(Duration.ofSeconds(30)).l1Ttl(Duration.ofMillis(20))
        .ttlJitter(0).executor(Runnable::run).meterRegistry(registry).build()) {
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v1");
      await().atMost(Duration.ofSeconds(5)).until(() -> cache.get("k", this::versioned).equals("k-v2"));
      assertThat(loads).hasValue(2);
      assertThat(registry.find("ballast.cache.stale.serves").functionCounter().count()).isPositive();
    }
  }

  @Test
  void xfetchRefreshesEarlyOnL2HitsAndNotWhenOff() {
    ManualTicker readerClock = new ManualTicker();
    try (TieredCache<String, String> writer = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .ttl(Duration.ofSeconds(2)).build();
        TieredCache<String, String> plain = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
            .ticker(readerClock::read).build();
        TieredCache<String, String> eager = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
            .ticker(readerClock::read).earlyRefresh(100_000).executor(Runnable::run).build()) {
      writer.get("k", this::versioned);
      for (int i = 0; i < 20; i++) {
        readerClock.advance(Duration.ofSeconds(1)); // past L1, so each read asks Redis
        plain.get("k", this::versioned);
      }
      assertThat(loads).as("no early refresh without beta").hasValue(1);
      for (int i = 0; i < 20 && loads.get() == 1; i++) {
        readerClock.advance(Duration.ofSeconds(1));
        eager.get("k", this::versioned);
      }
      assertThat(loads).hasValue(2);
      // The refresh's Redis steps complete stages (no thread waits for them), so its fill lands just after.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> "k-v2".equals(eager.get("k", this::versioned)));
      assertThat(loads).hasValue(2);
    }
  }

  @Test
  void sparingTheOriginServesAnythingCachedAndNeverCallsTheLoader() {
    AtomicBoolean spare = new AtomicBoolean();
    try (TieredCache<String, String> cache = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
        .ticker(now::read).spareOrigin(spare::get).build();
        TieredCache<String, String> other = TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(client)
            .spareOrigin(spare::get).sparedFallback(key -> "fallback").build()) {
      cache.get("k", this::versioned);
      spare.set(true);
      advance(Duration.ofHours(1)); // long past every TTL: still served while sparing
      assertThat(cache.get("k", this::versioned)).isEqualTo("k-v1");
      assertThat(other.get("k", this::versioned)).as("from Redis").isEqualTo("k-v1");
      assertThatThrownBy(() -> cache.get("absent", this::versioned)).isInstanceOf(OriginSparedException.class)
          .hasMessageContaining("absent").hasMessageContaining(name);
      assertThat(other.get("absent", this::versioned)).isEqualTo("fallback");
      assertThat(loads).hasValue(1);
      spare.set(false);
      assertThat(cache.get("fresh", this::versioned)).isEqualTo("fresh-v2");
    }
  }
}
