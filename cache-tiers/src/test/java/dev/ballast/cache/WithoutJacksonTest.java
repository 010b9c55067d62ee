package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.Wrapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Jackson is an optional dependency: with it hidden, the spec path still loads and serves String values,
 * and a value type that needs JSON is refused at wrap time, naming the method and the way out.
 */
class WithoutJacksonTest {

  public record Product(String sku) {}

  public interface Shop {
    @Cached("names")
    String name(String sku);

    @Cached("products")
    Product product(String sku);
  }

  public interface Names {
    @Cached("names")
    String name(String sku);
  }

  /** Loads this module's main classes anew, without Jackson; the annotations stay shared with the test. */
  private static final class NoJackson extends ClassLoader {
    private static final Set<String> SHARED = Set.of("dev.ballast.cache.annotation.Cached",
        "dev.ballast.cache.annotation.CacheEvict", "dev.ballast.cache.annotation.KeyGenerator");

    NoJackson() {
      super(WithoutJacksonTest.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("com.fasterxml.jackson.")) {
        throw new ClassNotFoundException(name + " (hidden by the test)");
      }
      if (!name.startsWith("dev.ballast.cache.") || SHARED.contains(name) || name.endsWith("Test")
          || name.contains("Test$")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return loaded;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<AnnotationHandler> handlers(ClassLoader loader) throws Exception {
    Object provider = loader.loadClass("dev.ballast.cache.annotation.CacheAnnotationHandlers").getConstructor()
        .newInstance();
    return ((AnnotationHandler.Provider) provider).handlers();
  }

  private static Object spec(ClassLoader loader, String name) throws Exception {
    Consumer<Object> noSettings = builder -> {};
    return loader.loadClass("dev.ballast.cache.CacheSpec").getMethod("of", String.class, Consumer.class)
        .invoke(null, name, noSettings);
  }

  @Test
  void stringValuesNeedNoJacksonAndJsonValuesAreRefusedNamingTheMethod() throws Exception {
    NoJackson loader = new NoJackson();
    assertThat(loader.loadClass("dev.ballast.cache.internal.ValueCodecs").getMethod("jacksonPresent").invoke(null))
        .isEqualTo(false);
    try (Registry registry = Registry.builder().add("names", spec(loader, "names"))
        .add("products", spec(loader, "products")).build()) {
      Names names = Wrapper.wrap(Names.class, sku -> "name of " + sku, registry, handlers(loader));
      assertThat(names.name("sku-1")).isEqualTo("name of sku-1");
      assertThat(names.name("sku-1")).isEqualTo("name of sku-1");

      assertThatThrownBy(() -> Wrapper.wrap(Shop.class, new Shop() {
        @Override
        public String name(String sku) {
          return sku;
        }

        @Override
        public Product product(String sku) {
          return new Product(sku);
        }
      }, registry, handlers(loader))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("@Cached on Shop.product: values of type " + Product.class.getName())
          .hasMessageContaining("Jackson (com.fasterxml.jackson.core:jackson-databind) is not on the class path")
          .hasMessageContaining("register a TieredCache named 'products' built with your own value codec");
    }
  }
}
