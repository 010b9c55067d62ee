package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.cache.annotation.KeyGenerator;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @Cached} through {@link Wrapper#wrap} against real two-level caches on a real Redis. */
@ExtendWith(RedisExtension.class)
class CachedAnnotationTest {

  public record Customer(String region) {}

  /** A bean-style class: its key part is found through getName(). */
  public static final class Account {
    private final String name;

    public Account(String name) {
      this.name = name;
    }

    public String getName() {
      return name;
    }
  }

  /** Reverses the first argument. */
  public static final class Reverse implements KeyGenerator {
    @Override
    public String key(Method method, Object[] arguments) {
      return new StringBuilder((String) arguments[0]).reverse().toString();
    }
  }

  public interface Catalog {
    @Cached("products")
    String product(String sku) throws IOException;

    @Cached(value = "products", key = "price:{0}:{1.region}")
    String price(String sku, Customer customer);

    @Cached(value = "products", key = "acct-{0.name}")
    String account(Account account);

    @Cached("products")
    String pair(String sku, int quantity);

    @Cached("products")
    String everything();

    @Cached(value = "products", keyGenerator = Reverse.class)
    String reversed(String sku);

    @Cached("products")
    CompletionStage<String> productAsync(String sku);

    @Cached("products")
    CompletableFuture<Optional<String>> findAsync(String sku);

    @Cached("products")
    Optional<String> find(String sku);

    @Cached("products")
    String nullable(String sku);
  }

  /** Counts every call; answers from {@link #origin}, failing for keys starting with "fail". */
  static final class Origin implements Catalog {
    final AtomicInteger calls = new AtomicInteger();
    volatile String version = "v1";

    private String answer(String key) throws IOException {
      calls.incrementAndGet();
      if (key.startsWith("fail")) {
        throw new IOException("origin refused " + key);
      }
      if (key.startsWith("none")) {
        return null;
      }
      return key + "-" + version;
    }

    @Override
    public String product(String sku) throws IOException {
      return answer(sku);
    }

    @Override
    public String price(String sku, Customer customer) {
      calls.incrementAndGet();
      return sku + "@" + customer.region();
    }

    @Override
    public String account(Account account) {
      calls.incrementAndGet();
      return "account " + account.getName();
    }

    @Override
    public String pair(String sku, int quantity) {
      calls.incrementAndGet();
      return quantity + " x " + sku;
    }

    @Override
    public String everything() {
      calls.incrementAndGet();
      return "all";
    }

    @Override
    public String reversed(String sku) {
      calls.incrementAndGet();
      return "reversed " + sku;
    }

    @Override
    public CompletionStage<String> productAsync(String sku) {
      try {
        String value = answer(sku);
        return CompletableFuture.supplyAsync(() -> value);
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public CompletableFuture<Optional<String>> findAsync(String sku) {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(sku.startsWith("none") ? Optional.empty() : Optional.of("found " + sku));
    }

    @Override
    public Optional<String> find(String sku) {
      calls.incrementAndGet();
      return sku.startsWith("none") ? Optional.empty() : Optional.of("found " + sku);
    }

    @Override
    public String nullable(String sku) {
      calls.incrementAndGet();
      return null;
    }
  }

  private static final AtomicInteger names = new AtomicInteger();
  // A manual clock: L1 entries never expire by themselves, so a second call is an L1 hit for certain.
  private final ManualTicker now = new ManualTicker();
  private RedisClient client;
  private RedisCommands<String, String> redis;
  private String name;
  private TieredCache<String, String> cache;

  @BeforeEach
  void setUp(RedisServer server) {
    client = server.newClient();
    redis = client.connect().sync();
    name = "ann" + names.incrementAndGet();
    cache = builder(client).build();
  }

  @AfterEach
  void tearDown() {
    cache.close();
    client.shutdown();
  }

  private TieredCacheBuilder<String, String> builder(RedisClient redisClient) {
    return TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(redisClient).ticker(now::read).ttlJitter(0)
        .redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker());
  }

  private static Catalog wrap(Origin origin, TieredCache<String, String> cache) {
    return Wrapper.wrap(Catalog.class, origin, Registry.builder().add("products", cache).build());
  }

  private String inRedis(String key) {
    String stored = redis.get("ballast:cache:" + name + ":{" + key + "}:v");
    return stored == null ? null : stored.substring(stored.indexOf('\n') + 1);
  }

  @Test
  void aMissCallsTheMethodOnceAndAHitNotAtAll() throws Exception {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    assertThat(catalog.product("sku-1")).isEqualTo("sku-1-v1");
    assertThat(origin.calls).hasValue(1);
    origin.version = "v2";
    assertThat(catalog.product("sku-1")).isEqualTo("sku-1-v1");
    assertThat(catalog.product("sku-1")).isEqualTo("sku-1-v1");
    assertThat(origin.calls).hasValue(1);
    assertThat(inRedis("sku-1")).as("stored in Redis under the argument").isEqualTo("sku-1-v1");
    assertThat(catalog.product("sku-2")).isEqualTo("sku-2-v2");
    assertThat(origin.calls).hasValue(2);
  }

  @Test
  void twoInstancesShareTheSecondLevel(RedisServer server) throws Exception {
    RedisClient otherClient = server.newClient();
    try (TieredCache<String, String> otherCache = builder(otherClient).build()) {
      Origin first = new Origin();
      Origin second = new Origin();
      Catalog a = wrap(first, cache);
      Catalog b = wrap(second, otherCache);
      assertThat(a.product("shared")).isEqualTo("shared-v1");
      second.version = "from the second origin";
      assertThat(b.product("shared")).as("read from Redis, not loaded").isEqualTo("shared-v1");
      assertThat(first.calls).hasValue(1);
      assertThat(second.calls).hasValue(0);
    } finally {
      otherClient.shutdown();
    }
  }

  @Test
  void aCheckedFailureReachesTheCallerAsItWasAndNothingIsStored() {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    assertThatThrownBy(() -> catalog.product("fail-1")).isInstanceOf(IOException.class)
        .hasMessage("origin refused fail-1");
    assertThatThrownBy(() -> catalog.product("fail-1")).isInstanceOf(IOException.class);
    assertThat(origin.calls).hasValue(2);
    assertThat(inRedis("fail-1")).isNull();
  }

  @Test
  void asyncMethodsMissThroughTheCacheAndHitAtOnce() throws Exception {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    assertThat(catalog.productAsync("as-1").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("as-1-v1");
    CompletableFuture<String> hit = catalog.productAsync("as-1").toCompletableFuture();
    assertThat(hit.isDone()).as("an L1 hit completes at once").isTrue();
    assertThat(hit.get()).isEqualTo("as-1-v1");
    assertThat(origin.calls).hasValue(1);
    assertThat(inRedis("as-1")).isEqualTo("as-1-v1");
  }

  @Test
  void anAsyncFailureCompletesTheStageWithTheMethodsOwnException() {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    CompletableFuture<String> failed = catalog.productAsync("fail-async").toCompletableFuture();
    assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IOException.class).hasMessage("origin refused fail-async");
  }

  @Test
  void aNullArgumentFailsTheAsyncStageNotTheCall() {
    Catalog catalog = wrap(new Origin(), cache);
    CompletableFuture<String> failed = catalog.productAsync(null).toCompletableFuture();
    assertThat(failed.isCompletedExceptionally()).isTrue();
    assertThatThrownBy(failed::join).cause().isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Catalog.productAsync").hasMessageContaining("sku");
  }

  @Test
  void emptyOptionalsAndNullsAreAbsencesNotCachedWithoutANegativeTtl() throws Exception {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    assertThat(catalog.find("none-1")).isEmpty();
    assertThat(catalog.find("none-1")).isEmpty();
    assertThat(catalog.nullable("none-2")).isNull();
    assertThat(catalog.nullable("none-2")).isNull();
    assertThat(origin.calls).hasValue(4);
    assertThat(catalog.find("some")).contains("found some");
    assertThat(catalog.find("some")).contains("found some");
    assertThat(origin.calls).hasValue(5);
    assertThat(inRedis("some")).as("stored unwrapped").isEqualTo("found some");
    assertThat(catalog.findAsync("none-3").get(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(catalog.findAsync("async-some").get(10, TimeUnit.SECONDS)).contains("found async-some");
    assertThat(catalog.findAsync("async-some").get(10, TimeUnit.SECONDS)).contains("found async-some");
    assertThat(origin.calls).hasValue(7);
  }

  @Test
  void withANegativeTtlAbsencesAreCached() throws Exception {
    try (TieredCache<String, String> negative = TieredCache.builder(name + "-neg", Codec.utf8(), Codec.utf8())
        .redis(client).ticker(now::read).negativeTtl(Duration.ofSeconds(30)).redisTimeout(Lenient.REDIS_TIMEOUT)
        .redisCircuitBreaker(Lenient.breaker()).build()) {
      Origin origin = new Origin();
      Catalog catalog = wrap(origin, negative);
      assertThat(catalog.find("none-1")).isEmpty();
      assertThat(catalog.find("none-1")).isEmpty();
      assertThat(catalog.nullable("none-2")).isNull();
      assertThat(catalog.nullable("none-2")).isNull();
      assertThat(catalog.findAsync("none-3").get(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(catalog.findAsync("none-3").get(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(origin.calls).hasValue(3);
    }
  }

  @Test
  void keyExpressionsReadArgumentsAndTheirAccessors() throws Exception {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    assertThat(catalog.price("sku-9", new Customer("eu"))).isEqualTo("sku-9@eu");
    assertThat(catalog.account(new Account("ada"))).isEqualTo("account ada");
    assertThat(catalog.pair("sku-9", 3)).isEqualTo("3 x sku-9");
    assertThat(catalog.everything()).isEqualTo("all");
    assertThat(catalog.reversed("abc")).isEqualTo("reversed abc");
    assertThat(origin.calls).hasValue(5);
    // Each went in under the key its expression names.
    assertThat(cache.get("price:sku-9:eu", k -> "not cached")).isEqualTo("sku-9@eu");
    assertThat(cache.get("acct-ada", k -> "not cached")).isEqualTo("account ada");
    assertThat(cache.get("sku-9:3", k -> "not cached")).isEqualTo("3 x sku-9");
    assertThat(cache.get("everything", k -> "not cached")).isEqualTo("all");
    assertThat(cache.get("cba", k -> "not cached")).isEqualTo("reversed abc");
    // And is read back from there: a different customer in the same region is the same key.
    assertThat(catalog.price("sku-9", new Customer("eu"))).isEqualTo("sku-9@eu");
    assertThat(catalog.price("sku-9", new Customer("us"))).isEqualTo("sku-9@us");
    assertThat(origin.calls).hasValue(6);
  }

  @Test
  void theDefaultKeyOfSeveralArgumentsEscapesTheSeparatorSoArgumentsNeverShareAKey() throws Exception {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    assertThat(catalog.pair("a:3", 1)).isEqualTo("1 x a:3");
    assertThat(catalog.pair("a\\", 7)).isEqualTo("7 x a\\");
    assertThat(origin.calls).hasValue(2);
    // Plainly joined, ("a:3", 1) would be "a:3:1", as ("a", "3:1") would be for two String parameters.
    assertThat(cache.get("a\\:3:1", k -> "not cached")).isEqualTo("1 x a:3");
    assertThat(cache.get("a\\\\:7", k -> "not cached")).isEqualTo("7 x a\\");
  }

  @Test
  void aNullKeyPartFailsTheCallNamingTheParameterAndTheMethod() {
    Origin origin = new Origin();
    Catalog catalog = wrap(origin, cache);
    assertThatThrownBy(() -> catalog.product(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Catalog.product").hasMessageContaining("argument 0 (sku)");
    assertThatThrownBy(() -> catalog.price("sku", null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Catalog.price").hasMessageContaining("argument 1 (customer)");
    assertThatThrownBy(() -> catalog.price("sku", new Customer(null))).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Catalog.price").hasMessageContaining("customer).region() returned null");
    assertThat(origin.calls).hasValue(0);
  }
}
