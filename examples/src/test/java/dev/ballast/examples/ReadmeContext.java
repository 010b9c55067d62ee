package dev.ballast.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.cache.TieredCache;
import dev.ballast.degradation.LatencyRecorder;
import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.JobHandler;
import dev.ballast.queue.JobType;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the names in the READMEs' snippets stand for: the reader's own objects (a Redis client, a Jackson
 * mapper, a catalog, a payment provider) and domain types. {@link ReadmeSnippetsTest} compiles every
 * snippet as the body of a subclass of this class, so a snippet sees these names and nothing else that
 * it does not import itself. Nothing here is called: the snippets are compiled, not run.
 */
@SuppressWarnings("unused")
public abstract class ReadmeContext {
  /** A product, as the storefront's snippets use it. */
  public record Product(String sku, long cents) {}

  /** A price in a region. */
  public record Price(long cents) {}

  /** A customer, whose region a cache key reads. */
  public record Customer(String region) {}

  /** An order to charge or place. */
  public record Order(String id) {}

  /** A payment receipt. */
  public record Receipt(String id) {
    /** Returns the receipt of a payment queued for later. */
    public static Receipt queued() {
      return new Receipt("queued");
    }
  }

  /** A payment provider's client. */
  public interface PaymentProvider {
    Receipt charge(Order order) throws IOException;
  }

  /** The origin of products. */
  public interface Catalog {
    Product find(String sku);

    Map<String, Product> findAll(Set<String> skus);
  }

  /** An asynchronous client of the origin. */
  public interface CatalogClient {
    CompletableFuture<Product> fetchAsync(String sku);
  }

  /** A mail sender. */
  public interface Smtp {
    void send(String message);
  }

  /** The interface of the configuration page's snippet, which names it without declaring it. */
  public record Row(String value) {}
  public record Stock(int units) {
    public static final Stock UNKNOWN = new Stock(-1);
  }
  public interface Database {
    java.util.List<Row> query(String sql);
  }
  public interface Inventory {
    Stock stock(String sku);
  }
  public interface PaymentClient {
    Receipt charge(Order order) throws IOException;
  }

  protected RedisClient redisClient;
  protected RedisCommands<String, String> redis;
  protected ObjectMapper mapper;
  protected MeterRegistry meterRegistry;
  protected MeterRegistry meters;
  protected MeterRegistry registry;
  protected Database db;
  protected String sql;
  protected Inventory inventory;
  protected String sku;
  protected dev.ballast.core.Retry retry;

  /** The reader's HTTP layer answering with a status and a Retry-After. */
  protected void respond(int status, java.time.Duration retryAfter) {}
  protected PaymentProvider provider;
  protected Order order;
  protected Catalog catalog;
  protected CatalogClient catalogClient;
  protected Set<String> skus;
  protected TieredCache<String, Product> products;
  protected Product updated;
  protected Switchboard switchboard;
  protected LatencyRecorder checkoutLatency;
  protected Smtp smtp;
  protected String id;
  protected String key;
  protected String value;
  protected long nanos;
  protected JobType<String> ORDER;
  protected JobHandler<String> handler;
}
