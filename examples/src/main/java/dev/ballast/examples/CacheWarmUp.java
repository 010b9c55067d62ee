package dev.ballast.examples;

import dev.ballast.cache.TieredCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the storefront's hot set into the cache {@code products} at start, as a production deploy does:
 * through {@link TieredCache#warm} (the cache's own read path: what Redis holds is read, not loaded; one
 * instance per key across the fleet; nothing while the origin is spared), from the database's bulk read
 * in chunks of {@link #CHUNK}, one after the other, waiting at most a bound. A warm-up that fails or runs
 * past the bound does not stop the start: the instance takes traffic, the warm-up goes on in the
 * background, and the traffic fills what it has not.
 *
 * <p><b>The hot set.</b> A real service takes it from yesterday's access log (the products viewed, most
 * viewed first) or the catalog's best-sellers, capped at what L1 may hold. The demo has no log, but its
 * traffic draws SKUs by a Zipf law, so the log's order is the SKUs' rank order ({@link #topSkus}). At the
 * baseline's 78 product views a second a day's log names every one of the 3,000 SKUs (the least popular
 * about 260 times), well under L1's 10,000 entries, so the default hot set is the whole catalog:
 * 3,000 entries of ~100 bytes, ~0.3 MB in Redis, 30 bulk reads of 100. A catalog of millions would stop
 * at the top N by views; {@code -Ddemo.hotSet=N} runs the demo so.
 */
final class CacheWarmUp {

  private static final Logger LOG = LoggerFactory.getLogger(CacheWarmUp.class);

  /** How long a start waits for the warm-up: well inside a readiness probe's usual 10 s. */
  static final Duration BOUND = Duration.ofSeconds(5);

  /**
   * Hot SKUs per {@link TieredCache#warm} call and so per bulk read. Each call is one {@code MGET}, one
   * lease script and one fill for its keys, and each of those must answer within the cache's
   * {@code redisTimeout} (250 ms): 3,000 keys in one call did not on a busy 2-core machine, the Redis
   * breaker opened and the instance loaded everything for itself, writing nothing to Redis. 100 keys: 30
   * calls one after the other, each a bulk read of ~8 ms.
   */
  static final int CHUNK = 100;

  private CacheWarmUp() {}

  /** The hot set's size: {@code demo.hotSet}, by default the whole catalog (see the class comment). */
  static int hotSetSize() {
    int size = Integer.getInteger("demo.hotSet", SimulatedDatabase.CATALOG_SIZE);
    if (size < 0 || size > SimulatedDatabase.CATALOG_SIZE) {
      throw new IllegalArgumentException("demo.hotSet must be in 0.." + SimulatedDatabase.CATALOG_SIZE
          + ", was " + size);
    }
    return size;
  }

  /** The {@code n} most viewed SKUs, most viewed first: the traffic's Zipf ranks 0 to n-1. */
  static List<String> topSkus(int n) {
    List<String> skus = new ArrayList<>(n);
    for (int rank = 0; rank < n; rank++) {
      skus.add("sku-" + rank);
    }
    return skus;
  }

  /**
   * Warms {@code cache} with {@code hot}, {@link #CHUNK} keys at a time, reading what neither tier holds
   * from {@code database}'s bulk read, and waits for it at most {@code bound}.
   *
   * @return how many products this instance loaded from the database, or -1 if the warm-up failed, was
   *     interrupted (the flag is kept) or was still running after {@code bound} (it goes on)
   */
  static int warm(TieredCache<String, Product> cache, Database database, List<String> hot, Duration bound) {
    CompletableFuture<Integer> loaded = CompletableFuture.completedFuture(0);
    for (int from = 0; from < hot.size(); from += CHUNK) {
      List<String> chunk = hot.subList(from, Math.min(hot.size(), from + CHUNK));
      loaded = loaded.thenCompose(sum -> cache.warm(chunk, database::findProducts).thenApply(n -> sum + n));
    }
    try {
      int total = loaded.get(bound.toNanos(), TimeUnit.NANOSECONDS);
      LOG.debug("warm-up: {} hot products, {} loaded from the database", hot.size(), total);
      return total;
    } catch (TimeoutException e) {
      LOG.warn("warm-up of {} products not done after {} ms; starting anyway, it goes on", hot.size(),
          bound.toMillis());
    } catch (ExecutionException e) {
      LOG.warn("warm-up of {} products failed; the traffic will fill the cache", hot.size(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("warm-up interrupted; starting without it");
    }
    return -1;
  }
}
