package dev.ballast.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A database with a fixed connection pool: each query holds one of {@code connections} for its service
 * time (the query's mean, ±30 %), so under load callers queue for a connection and latency grows with
 * it; a caller that waits longer than {@code poolTimeout} fails, which is how overload turns into errors.
 * An outage makes every query fail at once ("connection refused"). Counts every call by kind.
 *
 * <p>Thread-safe: the pool is a fair {@link Semaphore} (first come, first served, as connection pools
 * queue), counters are {@link LongAdder}s, prices a concurrent map (each change one atomic
 * {@code compute}), the outage flag volatile.
 */
final class SimulatedDatabase implements Database {

  /**
   * The kinds of query, with their mean service time on a free connection. {@code PRODUCTS}, the bulk read
   * by SKU, costs a product query's 6 ms plus {@link #ROW_NANOS} a row. {@code SEARCH}, a full-text
   * match over the catalog, is the heaviest: 100 ms.
   */
  enum Query {
    PRODUCT(6), PRODUCTS(6), RECOMMENDATIONS(20), SEARCH(100), CART(8), PRICE(8), ORDER(10), PING(1);

    final long meanNanos;

    Query(long meanMillis) {
      this.meanNanos = TimeUnit.MILLISECONDS.toNanos(meanMillis);
    }
  }

  /**
   * What each row of a bulk read adds to its 6 ms: 20 us, an index lookup by primary key and ~100 bytes on
   * the wire (an {@code IN} list of 100 keys is ~8 ms on one connection).
   */
  static final long ROW_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  /** How many SKUs the catalog has: {@code sku-0} to {@code sku-<n-1>}. */
  static final int CATALOG_SIZE = 3000;

  private final Semaphore pool;
  private final int connections;
  private final long poolTimeoutNanos;
  private final Map<Query, LongAdder> calls = new EnumMap<>(Query.class);
  private final Map<Query, LongAdder> answered = new EnumMap<>(Query.class);
  private final LongAdder rowsRead = new LongAdder();
  /** A price and when it was asked for. */
  private record Price(long cents, long asOfMillis) {}

  private final Map<String, Price> prices = new ConcurrentHashMap<>();
  private volatile boolean down;

  SimulatedDatabase(int connections, Duration poolTimeout) {
    this.connections = connections;
    this.pool = new Semaphore(connections, true);
    this.poolTimeoutNanos = poolTimeout.toNanos();
    for (Query query : Query.values()) {
      calls.put(query, new LongAdder());
      answered.put(query, new LongAdder());
    }
  }

  /** The demo's database: 6 connections, 500 ms pool wait timeout. */
  static SimulatedDatabase standard() {
    return new SimulatedDatabase(6, Duration.ofMillis(500));
  }

  /** Starts or ends an outage. */
  void outage(boolean down) {
    this.down = down;
  }

  /** Calls of every kind so far, failed ones included. */
  long calls() {
    long total = 0;
    for (LongAdder adder : calls.values()) {
      total += adder.sum();
    }
    return total;
  }

  /** Calls of one kind so far. */
  long calls(Query query) {
    return calls.get(query).sum();
  }

  /** Calls of one kind answered without an error so far. */
  long answered(Query query) {
    return answered.get(query).sum();
  }

  @Override
  public Product findProduct(String sku) {
    run(Query.PRODUCT);
    return product(sku);
  }

  /** Rows asked for by bulk reads so far (failed ones included). */
  long bulkRows() {
    return rowsRead.sum();
  }

  @Override
  public Map<String, Product> findProducts(Collection<String> skus) {
    rowsRead.add(skus.size());
    run(Query.PRODUCTS, skus.size() * ROW_NANOS);
    Map<String, Product> found = new LinkedHashMap<>();
    for (String sku : skus) {
      Product product = product(sku);
      if (product != null) {
        found.put(sku, product);
      }
    }
    return found;
  }

  @Override
  public List<Product> recommendationsFor(String user) {
    run(Query.RECOMMENDATIONS);
    int seed = Math.floorMod(user.hashCode(), CATALOG_SIZE);
    List<Product> products = new ArrayList<>(4);
    for (int i = 0; i < 4; i++) {
      products.add(product("sku-" + (seed + 7 * i) % CATALOG_SIZE));
    }
    return products;
  }

  @Override
  public List<Product> search(String text) {
    run(Query.SEARCH);
    int seed = Math.floorMod(text.hashCode(), CATALOG_SIZE);
    List<Product> products = new ArrayList<>(5);
    for (int i = 0; i < 5; i++) {
      products.add(product("sku-" + (seed + 11 * i) % CATALOG_SIZE));
    }
    return products;
  }

  @Override
  public void saveCartLine(String user, String sku, int quantity) {
    run(Query.CART);
  }

  @Override
  public void updatePrice(String sku, long priceCents, long asOfMillis) {
    run(Query.PRICE);
    prices.compute(sku, (s, old) -> old == null || old.asOfMillis() <= asOfMillis
        ? new Price(priceCents, asOfMillis) : old);
  }

  @Override
  public void saveOrder(String orderId, String user, long amountCents) {
    run(Query.ORDER);
  }

  @Override
  public void ping() {
    run(Query.PING);
  }

  private Product product(String sku) {
    if (!sku.startsWith("sku-")) {
      return null;
    }
    return new Product(sku, "Product " + sku.substring(4), priceOf(sku));
  }

  /** The price stored for {@code sku} (the catalog's own until someone changes it); no query is counted. */
  long priceOf(String sku) {
    return prices.computeIfAbsent(sku, s -> new Price(499L + Math.floorMod(s.hashCode(), 20_000), Long.MIN_VALUE))
        .cents();
  }

  private void run(Query query) {
    run(query, 0);
  }

  /** Runs one query that holds its connection {@code extraNanos} longer than its kind's mean (rows read). */
  private void run(Query query, long extraNanos) {
    calls.get(query).increment();
    if (down) {
      throw new DatabaseException("database unavailable: connection refused", true);
    }
    boolean acquired;
    try {
      acquired = pool.tryAcquire(poolTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException("interrupted while waiting for a connection", true);
    }
    if (!acquired) {
      throw new DatabaseException("no connection free within " + TimeUnit.NANOSECONDS.toMillis(poolTimeoutNanos)
          + " ms (pool of " + connections + ")", true);
    }
    try {
      long service = (long) ((query.meanNanos + extraNanos) * ThreadLocalRandom.current().nextDouble(0.7, 1.3));
      TimeUnit.NANOSECONDS.sleep(service); // the query's I/O: holds the connection, not a CPU
      answered.get(query).increment();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException("interrupted during a query", false);
    } finally {
      pool.release();
    }
  }
}
