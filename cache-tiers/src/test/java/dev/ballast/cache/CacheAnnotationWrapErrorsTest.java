package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.cache.annotation.CacheEvict;
import dev.ballast.cache.annotation.Cached;
import dev.ballast.cache.annotation.KeyGenerator;
import dev.ballast.cache.internal.ValueCodecs;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every misuse of {@code @Cached} and {@code @CacheEvict} fails at wrap time, naming the method. */
class CacheAnnotationWrapErrorsTest {

  public record Product(String sku) {}

  /** A key argument without a toString() of its own. */
  public static final class Opaque {}

  public interface IdentityKey {
    @Cached("products")
    Product product(Opaque query);
  }

  public interface ReturnsVoid {
    @Cached("products")
    void touch(String sku);
  }

  public interface ReturnsBoxedVoid {
    @Cached("products")
    Void touch(String sku);
  }

  public interface ReturnsStageOfVoid {
    @Cached("products")
    CompletionStage<Void> touch(String sku);
  }

  public interface UnknownCache {
    @Cached("prodcuts")
    String product(String sku);
  }

  public interface IndexOutOfRange {
    @Cached(value = "products", key = "{0}:{2}")
    String product(String sku, String region);
  }

  public interface UnknownAccessor {
    @Cached(value = "products", key = "{0.skew}")
    String product(Product product);
  }

  public interface UnclosedBrace {
    @Cached(value = "products", key = "sku:{0")
    String product(String sku);
  }

  public interface UnopenedBrace {
    @Cached(value = "products", key = "sku:0}")
    String product(String sku);
  }

  public interface NotAnIndex {
    @Cached(value = "products", key = "{sku}")
    String product(String sku);
  }

  /** A generator with no no-argument constructor. */
  public static final class NeedsAnArgument implements KeyGenerator {
    public NeedsAnArgument(String prefix) {}

    @Override
    public String key(Method method, Object[] arguments) {
      return "";
    }
  }

  public interface GeneratorWithoutConstructor {
    @Cached(value = "products", keyGenerator = NeedsAnArgument.class)
    String product(String sku);
  }

  /** A fine generator. */
  public static final class Fine implements KeyGenerator {
    @Override
    public String key(Method method, Object[] arguments) {
      return "k";
    }
  }

  public interface KeyAndGenerator {
    @Cached(value = "products", key = "{0}", keyGenerator = Fine.class)
    String product(String sku);
  }

  public interface CachedAndEvict {
    @Cached("products")
    @CacheEvict("products")
    String product(String sku);
  }

  public interface AllEntriesWithKey {
    @CacheEvict(value = "products", key = "{0}", allEntries = true)
    void clear(String sku);
  }

  public interface ConflictingTypes {
    @Cached("specs")
    String name(String sku);

    @Cached("specs")
    List<Product> related(String sku);
  }

  public interface RawStage {
    @SuppressWarnings("rawtypes")
    @Cached("products")
    CompletionStage product(String sku);
  }

  public interface Spared {
    @Cached("spared")
    String product(String sku);
  }

  private final TieredCache<String, String> products = TieredCache.builder("products", Codec.utf8(), Codec.utf8())
      .build();
  private final CacheSpec specs = CacheSpec.of("specs", cache -> {});
  private final CacheSpec spared = CacheSpec.of("spared", cache -> {}).withSpareOrigin("switchboard");
  private final Registry registry = Registry.builder().add("products", products).add("specs", specs)
      .add("spared", spared).add("other", (BooleanSupplier) () -> false).build();

  @AfterEach
  void tearDown() throws Exception {
    registry.close();
  }

  private <T> AbstractThrowableAssert<?, ? extends Throwable> wrapping(Class<T> type) {
    @SuppressWarnings("unchecked")
    T target = (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      throw new AssertionError("never called");
    });
    return assertThatThrownBy(() -> Wrapper.wrap(type, target, registry)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nothingToCache() {
    wrapping(ReturnsVoid.class).hasMessageStartingWith("@Cached on ReturnsVoid.touch: returns void");
    wrapping(ReturnsBoxedVoid.class).hasMessageStartingWith("@Cached on ReturnsBoxedVoid.touch: returns Void");
    wrapping(ReturnsStageOfVoid.class)
        .hasMessageStartingWith("@Cached on ReturnsStageOfVoid.touch: returns CompletionStage<Void>");
    wrapping(RawStage.class).hasMessageStartingWith("@Cached on RawStage.product: returns a raw CompletionStage");
  }

  @Test
  void unknownCacheListsTheKnownOnes() {
    wrapping(UnknownCache.class).hasMessageStartingWith("@Cached on UnknownCache.product: no cache named 'prodcuts'")
        .hasMessageContaining("[products, spared, specs]");
  }

  @Test
  void badKeyExpressions() {
    wrapping(IndexOutOfRange.class).hasMessageStartingWith("@Cached on IndexOutOfRange.product: bad key expression")
        .hasMessageContaining("argument 2, but the method has 2 (0..1)");
    wrapping(UnknownAccessor.class).hasMessageStartingWith("@Cached on UnknownAccessor.product: bad key expression")
        .hasMessageContaining("Product has no public no-argument method skew() or getSkew()");
    wrapping(UnclosedBrace.class).hasMessageStartingWith("@Cached on UnclosedBrace.product: bad key expression")
        .hasMessageContaining("is not closed");
    wrapping(UnopenedBrace.class).hasMessageStartingWith("@Cached on UnopenedBrace.product: bad key expression")
        .hasMessageContaining("closes no '{'");
    wrapping(NotAnIndex.class).hasMessageStartingWith("@Cached on NotAnIndex.product: bad key expression")
        .hasMessageContaining("must start with an argument index");
    wrapping(IdentityKey.class).hasMessageStartingWith("@Cached on IdentityKey.product: bad key expression")
        .hasMessageContaining("Opaque, which does not override toString()");
  }

  @Test
  void keyGenerators() {
    wrapping(GeneratorWithoutConstructor.class)
        .hasMessageStartingWith("@Cached on GeneratorWithoutConstructor.product: keyGenerator")
        .hasMessageContaining("needs a public no-argument constructor");
    wrapping(KeyAndGenerator.class)
        .hasMessageStartingWith("@Cached on KeyAndGenerator.product: give key or keyGenerator, not both");
  }

  @Test
  void conflictingAnnotations() {
    wrapping(CachedAndEvict.class)
        .hasMessageStartingWith("@Cached on CachedAndEvict.product: @Cached and @CacheEvict on one method");
    wrapping(AllEntriesWithKey.class)
        .hasMessageStartingWith("@CacheEvict on AllEntriesWithKey.clear: allEntries = true invalidates every key");
  }

  @Test
  void aCacheFromASpecHoldsOneValueType() {
    // Whichever of the two methods is wrapped first fixes the type; the other is refused, naming both.
    wrapping(ConflictingTypes.class).hasMessageMatching("@Cached on ConflictingTypes\\.(name|related): cache 'specs'"
        + " already holds .* values \\(for ConflictingTypes\\.(name|related)\\), not .*")
        .hasMessageContaining("java.lang.String").hasMessageContaining("java.util.List<");
  }

  @Test
  void aSpareOriginSignalMissingFromTheRegistry() {
    wrapping(Spared.class).hasMessageStartingWith("@Cached on Spared.product: cache 'spared' spares the origin")
        .hasMessageContaining("the registry has none by that name").hasMessageContaining("'switchboard'")
        .hasMessageContaining("[other]");
  }

  @Test
  void withoutJacksonAJsonValueTypeIsRefusedWithTheWayOut() {
    assertThat(ValueCodecs.jacksonPresent()).isTrue(); // on this module's test class path
    assertThatThrownBy(() -> ValueCodecs.forType(Product.class, null, false, "products"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Jackson (com.fasterxml.jackson.core:jackson-databind) is not on the class path")
        .hasMessageContaining("register a TieredCache named 'products' built with your own value codec");
    assertThat(ValueCodecs.forType(String.class, null, false, "products")).isSameAs(Codec.utf8());
    assertThat(ValueCodecs.forType(byte[].class, null, false, "products")).isSameAs(Codec.bytes());
  }

  @Test
  void aClosedSpecCreatesNothing() {
    CacheSpec closed = CacheSpec.of("closed", cache -> {});
    closed.close();
    assertThatThrownBy(() -> closed.cache(String.class, "Test.method", registry))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
