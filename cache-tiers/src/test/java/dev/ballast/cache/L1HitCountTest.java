package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.ManualTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * With a registry, every L1 hit entry point counts its hit once, on the coarse clock (the default ticker)
 * as on an injected one. (Without a registry the hit path skips the counter: nothing could read it.)
 */
class L1HitCountTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double l1Hits(String cache) {
    return registry.get("ballast.cache.tier.gets").tags("cache", cache, "tier", "l1", "result", "hit")
        .functionCounter().count();
  }

  @Test
  void everyEntryPointCountsItsHitOnTheCoarseClock() throws Exception {
    try (TieredCache<String, String> cache = TieredCache.builder("coarse", Codec.utf8(), Codec.utf8())
        .ttl(Duration.ofHours(1)).meterRegistry(registry).build()) {
      assertThat(cache.get("a", key -> "v")).isEqualTo("v"); // a miss
      assertThat(l1Hits("coarse")).isZero();
      assertThat(cache.get("a", key -> "other")).isEqualTo("v");
      assertThat(cache.getAsync("a", key -> null).get()).isEqualTo("v");
      assertThat(cache.getAsyncWithBlockingLoader("a", key -> "other").get()).isEqualTo("v");
      assertThat(l1Hits("coarse")).isEqualTo(3);
      assertThat(registry.get("cache.gets").tags("cache", "coarse", "result", "hit").functionCounter().count())
          .isEqualTo(3);
    }
  }

  @Test
  void anInjectedTickerDecidesTheHitAndTheHitIsCounted() {
    ManualTicker now = new ManualTicker(1_000_000_000L);
    try (TieredCache<String, String> cache = TieredCache.builder("manual", Codec.utf8(), Codec.utf8())
        .ttl(Duration.ofSeconds(10)).ttlJitter(0).ticker(now::read).meterRegistry(registry).build()) {
      cache.get("a", key -> "v1");
      assertThat(cache.get("a", key -> "v2")).isEqualTo("v1");
      assertThat(l1Hits("manual")).isEqualTo(1);
      now.advance(Duration.ofSeconds(11)); // past the soft expiry: not an L1 hit
      cache.get("a", key -> "v2");
      assertThat(l1Hits("manual")).isEqualTo(1);
    }
  }
}
