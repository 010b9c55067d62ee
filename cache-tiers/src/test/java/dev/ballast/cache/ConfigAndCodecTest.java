package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.testsupport.ManualTicker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ConfigAndCodecTest {

  private static TieredCacheBuilder<String, String> builder() {
    return TieredCache.builder("c", Codec.utf8(), Codec.utf8());
  }

  @Test
  void badSettingsAreRejectedNamingTheField() {
    assertThatThrownBy(() -> builder().l1Ttl(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TieredCache.l1Ttl");
    assertThatThrownBy(() -> builder().ttlJitter(1.0).build()).hasMessageContaining("TieredCache.ttlJitter");
    assertThatThrownBy(() -> builder().maxEncodedSize(0).build()).hasMessageContaining("TieredCache.maxEncodedSize");
    assertThatThrownBy(() -> builder().negativeTtl(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("TieredCache.negativeTtl");
    assertThatThrownBy(() -> builder().staleWhileRevalidate(Duration.ZERO).build())
        .hasMessageContaining("TieredCache.staleWhileRevalidate");
    assertThatThrownBy(() -> TieredCache.builder(" ", Codec.utf8(), Codec.utf8()))
        .hasMessageContaining("TieredCache.name");
    assertThatThrownBy(() -> TieredCache.builder("c", null, Codec.utf8())).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("TieredCache.keyCodec");
    assertThatThrownBy(() -> TieredCache.builder("c", Codec.bytes(), Codec.utf8()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TieredCache.keyCodec");
  }

  @Test
  void anOptionSetTwiceIsAMistake() {
    assertThatThrownBy(() -> builder().ttl(Duration.ofSeconds(1)).ttl(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ttl");
    assertThatThrownBy(() -> builder().staleIfError(Duration.ofSeconds(1)).staleWhileRevalidate(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("staleTtl");
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    TieredCacheConfig config = builder().config();
    assertThat(config.keyPrefix()).isEqualTo("ballast:cache:c:");
    assertThat(config.l1Ttl()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.ttl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.hardTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.invalidation()).isTrue();
  }

  @Test
  void l1OnlyCacheLoadsOnceAndExpiresWithTheTtl() {
    ManualTicker now = new ManualTicker();
    AtomicInteger loads = new AtomicInteger();
    try (TieredCache<String, String> cache = builder().ticker(now::read).ttl(Duration.ofSeconds(10)).ttlJitter(0)
        .build()) {
      Loader<String, String> loader = k -> k + loads.incrementAndGet();
      assertThat(cache.get("a", loader)).isEqualTo("a1");
      now.advance(Duration.ofSeconds(9));
      assertThat(cache.get("a", loader)).isEqualTo("a1");
      now.advance(Duration.ofSeconds(2));
      assertThat(cache.get("a", loader)).isEqualTo("a2");
      cache.put("a", "put");
      assertThat(cache.get("a", loader)).isEqualTo("put");
      cache.invalidate("a");
      assertThat(cache.get("a", loader)).isEqualTo("a3");
    }
  }

  @Property(tries = 200)
  void utf8RoundTrips(@ForAll String text) {
    assertThat(Codec.utf8().decode(Codec.utf8().encode(text))).isEqualTo(text);
  }

  @Test
  void malformedUtf8FailsToDecode() {
    assertThatThrownBy(() -> Codec.utf8().decode(new byte[] {(byte) 0xC3, (byte) 0x28}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Codec.bytes().decode("x".getBytes(StandardCharsets.UTF_8))).containsExactly('x');
  }

  record Product(String sku, int stock) {}

  @Test
  void jsonCodecRoundTripsAndRejectsGarbage() {
    JsonCodec<Product> codec = JsonCodec.of(new ObjectMapper(), Product.class);
    Product p = new Product("sku-1", 3);
    assertThat(codec.decode(codec.encode(p))).isEqualTo(p);
    assertThatThrownBy(() -> codec.decode("{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(java.io.UncheckedIOException.class);
  }
}
