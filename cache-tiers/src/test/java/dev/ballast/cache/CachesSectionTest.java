package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.cache.internal.config.CachesSection;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.ConfigSection;
import dev.ballast.core.config.Configuration;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code caches} section: what it builds, what it refuses (at the line), and the caches it creates. */
@ExtendWith(RedisExtension.class)
class CachesSectionTest {

  public record Product(String sku, long unitCents) {}

  public interface Shop {
    @Cached("catalog")
    Product product(String sku);

    @Cached("lists")
    List<Product> related(String sku);

    @Cached("stock")
    long stock(String sku);
  }

  /** Counts calls; answers deterministically. */
  static final class Origin implements Shop {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Product product(String sku) {
      calls.incrementAndGet();
      return new Product(sku, 1999);
    }

    @Override
    public List<Product> related(String sku) {
      calls.incrementAndGet();
      return List.of(new Product(sku + "-a", 1), new Product(sku + "-b", 2));
    }

    @Override
    public long stock(String sku) {
      calls.incrementAndGet();
      return 7;
    }
  }

  /** A stand-in for the switchboard section: registers one BooleanSupplier per entry, before the caches. */
  public static final class FlagsSection implements ConfigSection {
    static final Map<String, AtomicBoolean> FLAGS = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String key() {
      return "flags";
    }

    @Override
    public int order() {
      return 10;
    }

    @Override
    public Set<String> entryKeys() {
      return Set.of();
    }

    @Override
    public void build(ConfigNode section, ConfigContext context, Registry.Builder registry) {
      section.entries().keySet().forEach(name -> {
        AtomicBoolean flag = FLAGS.computeIfAbsent(name, n -> new AtomicBoolean());
        registry.add(name, (BooleanSupplier) flag::get);
      });
    }
  }

  private static final AtomicInteger names = new AtomicInteger();
  private final ManualTicker now = new ManualTicker();
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private String prefix;
  private Registry registry;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
    prefix = "cfg" + names.incrementAndGet();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (registry != null) {
      registry.close();
    }
    client.shutdown();
  }

  private ConfigContext withRedis() {
    return ConfigContext.builder().resource("redis", client).ticker(now::read).build();
  }

  private Registry build(String yaml, ConfigContext context) {
    return Configuration.parse(yaml, "test.yaml").buildRegistry(context);
  }

  private static void assertError(String yaml, ConfigContext context, int line, String... fragments) {
    assertThatThrownBy(() -> Configuration.parse(yaml, "test.yaml").buildRegistry(context))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).line()).as(e.getMessage()).isEqualTo(line))
        .hasMessageStartingWith("test.yaml:" + line + ":")
        .hasMessageContainingAll(fragments);
  }

  private String shopYaml() {
    return """
        caches:
          catalog:
            keyPrefix: "%1$s:catalog:"
            l1MaximumSize: 500
            l1Ttl: 50ms
            ttl: 10m
            ttlJitter: 5%%
            staleIfError: 1m
            earlyRefresh: 1.0
            negativeTtl: 30s
            maxEncodedSize: 4096
            leaseTtl: 3s
            maxLeaseWait: 1s
            redisTimeout: 5s
            invalidation: true
            invalidationBatchWindow: 2ms
            l1TtlWhileDisconnected: 500ms
            warmUpChunk: 250
            warmUpWait: 3s
          lists: { keyPrefix: "%1$s:lists:", redisTimeout: 5s }
          stock: { keyPrefix: "%1$s:stock:", redis: false }
        """.formatted(prefix);
  }

  @Test
  void everyKeyReachesTheCacheAndAbsentOnesKeepTheBuildersDefaults() {
    registry = build(shopYaml(), withRedis());
    TieredCacheConfig catalog = registry.get("catalog", CacheSpec.class).config();
    assertThat(catalog.keyPrefix()).isEqualTo(prefix + ":catalog:");
    assertThat(catalog.l1MaximumSize()).isEqualTo(500);
    assertThat(catalog.l1Ttl()).isEqualTo(Duration.ofMillis(50));
    assertThat(catalog.ttl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(catalog.ttlJitter()).isEqualTo(0.05);
    assertThat(catalog.staleTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(catalog.staleWhileRevalidate()).isFalse();
    assertThat(catalog.earlyRefreshBeta()).isEqualTo(1.0);
    assertThat(catalog.negativeTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(catalog.maxEncodedSize()).isEqualTo(4096);
    assertThat(catalog.leaseTtl()).isEqualTo(Duration.ofSeconds(3));
    assertThat(catalog.maxLeaseWait()).isEqualTo(Duration.ofSeconds(1));
    assertThat(catalog.redisTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(catalog.invalidationBatchWindow()).isEqualTo(Duration.ofMillis(2));
    assertThat(catalog.l1TtlWhileDisconnected()).isEqualTo(Duration.ofMillis(500));
    assertThat(catalog.warmUpChunk()).isEqualTo(250);
    assertThat(catalog.warmUpWait()).isEqualTo(Duration.ofSeconds(3));
    TieredCacheConfig defaults = TieredCache.builder("lists", Codec.utf8(), Codec.utf8()).config();
    TieredCacheConfig lists = registry.get("lists", CacheSpec.class).config();
    assertThat(lists.ttl()).isEqualTo(defaults.ttl());
    assertThat(lists.l1Ttl()).isEqualTo(defaults.l1Ttl());
    assertThat(lists.leaseTtl()).isEqualTo(defaults.leaseTtl());
    assertThat(lists.ttlJitter()).isEqualTo(defaults.ttlJitter());
    assertThat(lists.warmUpChunk()).isEqualTo(100);
    assertThat(lists.warmUpWait()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void wrappedMethodsGetJsonCachesSharedThroughRedisByAnotherInstance() {
    registry = build(shopYaml(), withRedis());
    Origin first = new Origin();
    Shop a = Wrapper.wrap(Shop.class, first, registry);
    assertThat(a.product("sku-1")).isEqualTo(new Product("sku-1", 1999));
    assertThat(a.related("sku-1")).containsExactly(new Product("sku-1-a", 1), new Product("sku-1-b", 2));
    assertThat(a.stock("sku-1")).isEqualTo(7);
    assertThat(a.product("sku-1")).isEqualTo(new Product("sku-1", 1999));
    assertThat(first.calls).hasValue(3);
    assertThat(redis.get(prefix + ":catalog:{sku-1}:v")).endsWith("\n{\"sku\":\"sku-1\",\"unitCents\":1999}");
    assertThat(redis.keys(prefix + ":stock:*")).as("redis: false").isEmpty();

    // Another instance, built from the same file: reads decode the JSON, generics included.
    try (Registry other = build(shopYaml(), withRedis())) {
      Origin second = new Origin();
      Shop b = Wrapper.wrap(Shop.class, second, other);
      assertThat(b.product("sku-1")).isEqualTo(new Product("sku-1", 1999));
      assertThat(b.related("sku-1")).containsExactly(new Product("sku-1-a", 1), new Product("sku-1-b", 2));
      assertThat(second.calls).hasValue(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void redisDefaultsToWhetherTheContextHasOne() {
    registry = build("""
        caches:
          catalog: { keyPrefix: "%s:catalog:" }
          lists: { redis: false }
          stock: { redis: false }
        """.formatted(prefix), withRedis());
    Wrapper.wrap(Shop.class, new Origin(), registry).product("sku-2");
    assertThat(redis.exists(prefix + ":catalog:{sku-2}:v")).isEqualTo(1);
  }

  @Test
  void aMisspeltKeyIsReportedAtItsLineWithTheClosestKey() {
    assertError("""
        caches:
          catalog:
            ttl: 5m
            l1Tll: 100ms
        """, withRedis(), 4, "caches.catalog.l1Tll", "unknown key", "did you mean 'l1Ttl'?");
  }

  @Test
  void aValueTheBuilderRefusesIsReportedAtItsOwnLine() {
    assertError("""
        caches:
          catalog:
            ttl: 5m
            l1Ttl: 0ms
        """, withRedis(), 4, "caches.catalog.l1Ttl", "TieredCache.l1Ttl must be positive");
    assertError("""
        caches:
          catalog:
            ttlJitter: 100%
        """, withRedis(), 3, "caches.catalog.ttlJitter", "TieredCache.ttlJitter must be in [0, 1)");
    assertError("""
        caches:
          catalog:
            maxEncodedSize: 0
        """, withRedis(), 3, "caches.catalog.maxEncodedSize", "must be between 1 and");
  }

  @Test
  void redisTrueNeedsARedisResource() {
    assertError("""
        caches:
          catalog:
            redis: true
        """, ConfigContext.defaults(), 3, "caches.catalog.redis", "needs a RedisClient or RedisClusterClient resource named 'redis'");
  }

  @Test
  void aRedisResourceOfAnotherTypeIsNamed() {
    assertError("""
        caches:
          catalog:
            redis: true
        """, ConfigContext.builder().resource("redis", "localhost:6379").build(), 3, "caches.catalog.redis",
        "RedisClient or RedisClusterClient resource named 'redis'", "found a java.lang.String");
  }

  @Test
  void staleWhileRevalidateAndStaleIfErrorExcludeEachOther() {
    assertError("""
        caches:
          catalog:
            staleWhileRevalidate: 5m
            staleIfError: 5m
        """, withRedis(), 4, "caches.catalog.staleIfError", "staleWhileRevalidate or staleIfError, not both");
  }

  @Test
  void theContextsObjectMapperWritesAndReadsTheJson() {
    com.fasterxml.jackson.databind.ObjectMapper snakeCase = new com.fasterxml.jackson.databind.ObjectMapper()
        .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    registry = build("""
        caches:
          catalog: { keyPrefix: "%s:catalog:" }
          lists: { redis: false }
          stock: { redis: false }
        """.formatted(prefix), ConfigContext.builder().resource("redis", client).resource("objectMapper", snakeCase)
        .ticker(now::read).build());
    Shop shop = Wrapper.wrap(Shop.class, new Origin(), registry);
    assertThat(shop.product("sku-4")).isEqualTo(new Product("sku-4", 1999));
    assertThat(redis.get(prefix + ":catalog:{sku-4}:v")).endsWith("\n{\"sku\":\"sku-4\",\"unit_cents\":1999}");
  }

  @Test
  void anObjectMapperResourceMustBeOne() {
    assertError("""
        caches:
          catalog: { ttl: 5m }
        """, ConfigContext.builder().resource("objectMapper", "not a mapper").build(), 2,
        "resource 'objectMapper' must be a com.fasterxml.jackson.databind.ObjectMapper");
  }

  @Test
  void spareOriginIsTheRegistrysBooleanSupplierAndSparesTheLoaderWhileTrue() {
    AtomicBoolean switchboard = FlagsSection.FLAGS.computeIfAbsent(prefix, n -> new AtomicBoolean());
    registry = Configuration.parse("""
        flags:
          %1$s: {}
        caches:
          catalog: { keyPrefix: "%1$s:catalog:", spareOrigin: %1$s }
          lists: { redis: false }
          stock: { redis: false }
        """.formatted(prefix), "test.yaml").buildRegistry(withRedis(), List.of(new FlagsSection(), new CachesSection()));
    assertThat(registry.get("catalog", CacheSpec.class).spareOrigin()).contains(prefix);
    Origin origin = new Origin();
    Shop shop = Wrapper.wrap(Shop.class, origin, registry);
    assertThat(shop.product("cached")).isEqualTo(new Product("cached", 1999));

    switchboard.set(true);
    assertThatThrownBy(() -> shop.product("missing")).isInstanceOf(OriginSparedException.class)
        .hasMessageContaining("missing");
    assertThat(shop.product("cached")).as("what is cached is still served").isEqualTo(new Product("cached", 1999));
    assertThat(origin.calls).hasValue(1);

    switchboard.set(false);
    assertThat(shop.product("missing")).isEqualTo(new Product("missing", 1999));
    assertThat(origin.calls).hasValue(2);
  }

  @Test
  void closingTheRegistryClosesTheCachesItsSpecsCreated() throws Exception {
    registry = build(shopYaml(), withRedis());
    Wrapper.wrap(Shop.class, new Origin(), registry).product("sku-3");
    String channel = prefix + ":catalog:invalidations";
    assertThat(redis.pubsubNumsub(channel)).containsEntry(channel, 1L);
    registry.close();
    registry = null;
    // close() returns once the subscription's socket is closed; Redis drops the subscriber when it reads that.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> redis.pubsubNumsub(channel).get(channel) == 0L);
  }
}
