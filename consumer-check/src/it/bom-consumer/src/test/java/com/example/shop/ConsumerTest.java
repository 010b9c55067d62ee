package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a user does first, from a project that only imports the BOM: load a configuration, wrap, call. */
class ConsumerTest {
  @Test
  void anAnnotatedInterfaceWrapsAndItsPoliciesApply() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    AtomicInteger stockCalls = new AtomicInteger();
    Catalog origin = new Catalog() {
      @Override
      public Product product(String sku) {
        loads.incrementAndGet();
        return new Product(sku, 1999);
      }

      @Override
      public String stock(String sku) throws Exception {
        stockCalls.incrementAndGet();
        throw new java.io.IOException("warehouse down");
      }

      @Override
      public String unavailable(String sku, Exception failure) {
        return "unknown (" + failure.getMessage() + ")";
      }
    };
    Path file = Path.of("src/test/resources/ballast.yaml");
    try (Registry registry = Configuration.load(file).buildRegistry(ConfigContext.defaults())) {
      Catalog catalog = Wrapper.wrap(Catalog.class, origin, registry);

      assertEquals(new Catalog.Product("sku-1", 1999), catalog.product("sku-1"));
      assertEquals(new Catalog.Product("sku-1", 1999), catalog.product("sku-1"));
      assertEquals(1, loads.get(), "the second read is served by the cache");

      assertEquals("unknown (warehouse down)", catalog.stock("sku-1"));
      assertEquals(3, stockCalls.get(), "the external-api preset retries 3 attempts before the fallback");
    }
  }
}
