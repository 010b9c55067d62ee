package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

/** JSON values through the optional Jackson 3 codec, alone, against the Jackson 2 one, and through Redis. */
class Jackson3CodecTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  public record Product(String sku, long cents) {}

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  @Test
  void roundTripsARecordAndAGenericType() {
    Jackson3Codec<Product> codec = Jackson3Codec.of(MAPPER, Product.class);
    Product p = new Product("sku-1", 1999);
    assertThat(new String(codec.encode(p), StandardCharsets.UTF_8)).isEqualTo("{\"sku\":\"sku-1\",\"cents\":1999}");
    assertThat(codec.decode(codec.encode(p))).isEqualTo(p);

    Jackson3Codec<List<Product>> list =
        Jackson3Codec.of(MAPPER, MAPPER.getTypeFactory().constructCollectionType(List.class, Product.class));
    assertThat(list.decode(list.encode(List.of(p, p)))).containsExactly(p, p);
  }

  @Test
  void readsWhatTheJackson2CodecWroteAndTheOtherWayRound() {
    JsonCodec<Product> jackson2 = JsonCodec.of(new ObjectMapper(), Product.class);
    Jackson3Codec<Product> jackson3 = Jackson3Codec.of(MAPPER, Product.class);
    Product p = new Product("sku-2", 5);
    assertThat(jackson3.decode(jackson2.encode(p))).isEqualTo(p);
    assertThat(jackson2.decode(jackson3.encode(p))).isEqualTo(p);
  }

  @Test
  void bytesThatAreNotAProductAreADecodeFailureNamingTheType() {
    Jackson3Codec<Product> codec = Jackson3Codec.of(MAPPER, Product.class);
    assertThatThrownBy(() -> codec.decode("{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON for").hasMessageContaining("Product");
    assertThatThrownBy(() -> Jackson3Codec.of(null, Product.class)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Jackson3Codec.mapper");
  }

  @Test
  void anotherInstanceReadsTheValueFromRedis(RedisServer server) {
    RedisClient client = server.newClient();
    AtomicInteger loads = new AtomicInteger();
    try (TieredCache<String, Product> writer = cache(client);
        TieredCache<String, Product> reader = cache(client)) {
      Product p = new Product("sku-3", 42);
      assertThat(writer.get("sku-3", key -> { loads.incrementAndGet(); return p; })).isEqualTo(p);
      // The reader has its own L1: its value can only come from Redis, decoded by the Jackson 3 codec.
      assertThat(reader.get("sku-3", key -> { loads.incrementAndGet(); return new Product("other", 0); }))
          .isEqualTo(p);
      assertThat(loads).hasValue(1);
    } finally {
      client.shutdown();
    }
  }

  private static TieredCache<String, Product> cache(RedisClient client) {
    return TieredCache.builder("jackson3", Codec.utf8(), Jackson3Codec.of(MAPPER, Product.class)).redis(client)
        .redisTimeout(Duration.ofSeconds(5)).build();
  }
}
