package dev.ballast.examples;

import dev.ballast.cache.CacheSpec;
import dev.ballast.cache.TieredCache;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.ConcurrencyLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.degradation.LatencyRecorder;
import dev.ballast.degradation.OutcomeRecorder;
import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.JobQueue;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One application instance with Ballast: its own registry, built from its configuration file
 * ({@code instance-<id>.yaml} over {@code storefront.yaml}), its own cache L1, switchboard object and job
 * workers, on the Redis the fleet shares. Its storefront, database and payment provider are the plain
 * implementations wrapped in one call each ({@link Wrapper#wrap}), and its job workers (confirmations,
 * deferred writes) are registered on the fleet's queues; the annotations on {@link Storefront},
 * {@link Database} and {@link Payments} name what the configuration builds. This is the one place where
 * the Ballast wiring lives.
 */
final class Instance implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Instance.class);

  private final String id;
  private final Registry registry;
  private final DatabaseProbe probe;
  private final Storefront storefront;

  private Instance(String id, Registry registry, DatabaseProbe probe, Storefront storefront) {
    this.id = id;
    this.registry = registry;
    this.probe = probe;
    this.storefront = storefront;
  }

  /**
   * Starts instance {@code id}: builds its registry from {@code configuration}, wraps its services and
   * registers its job workers.
   *
   * @param metrics where every meter goes, tagged with {@code instance=<id>}
   * @throws dev.ballast.core.config.ConfigException if the configuration is invalid
   */
  static Instance start(String id, Path configuration, Backends backends, RedisClient redis, MeterRegistry metrics) {
    CompositeMeterRegistry meters = new CompositeMeterRegistry();
    meters.config().commonTags("instance", id); // two instances, one scrape endpoint
    meters.add(metrics);
    Registry registry = Configuration.load(configuration).buildRegistry(
        ConfigContext.builder().meterRegistry(meters).resource("redis", redis).build());
    try {
      Database database = Wrapper.wrap(Database.class, backends.database(), registry);
      Payments payments = Wrapper.wrap(Payments.class, backends.payments(), registry);
      OrderJobs confirmations = new QueuedOrderJobs(registry.get("orders", JobQueue.class), 2, backends.ledger(),
          backends.mail());
      CacheSpec products = registry.get("products", CacheSpec.class);
      DeferredWrites deferred = new QueuedWrites(registry.get("writes", JobQueue.class), 2,
          registry.get("switchboard", Switchboard.class), database, confirmations,
          sku -> products.cache(null, "deferred price changes", registry).invalidate(sku), backends.ledger());
      Storefront wrapped = Wrapper.wrap(Storefront.class,
          new StorefrontImpl(database, payments, confirmations, deferred), registry);
      warmUp(wrapped);
      warmCache(products.cache(Product.class, "Instance.warmCache", registry), database);
      // The application feeds the recorders spike-protection's triggers watch, as an HTTP filter would.
      Storefront storefront = new ProductReadSlo(wrapped, registry.get("reads", LatencyRecorder.class),
          registry.get("reads", OutcomeRecorder.class));
      DatabaseProbe probe = DatabaseProbe.start(id, database, registry.get("database", CircuitBreaker.class),
          Duration.ofMillis(50));
      LOG.debug("instance {} started", id);
      return new Instance(id, registry, probe, storefront);
    } catch (RuntimeException e) {
      closeQuietly(id, registry);
      throw e;
    }
  }

  /**
   * What a readiness check does before an instance takes traffic: a few reads through every layer, so the
   * one-time costs (Redis connections and scripts, JSON codecs, proxies, class loading) are not paid by the
   * first customers. Called below {@link ProductReadSlo}: not customer traffic, not in the SLO signals. It
   * reads from the catalog's tail, which the traffic rarely touches, so it warms code, not the cache.
   */
  private static void warmUp(Storefront storefront) {
    for (int i = 1; i <= 10; i++) {
      try {
        storefront.product("sku-" + (SimulatedDatabase.CATALOG_SIZE - i));
        storefront.recommendations("warm-up-" + i);
      } catch (RuntimeException e) {
        LOG.debug("warm-up read failed", e); // not ready yet is fine: traffic will find out
      }
    }
  }

  /**
   * The cache's warm-up, as a production deploy does it: the hot set (the most viewed products, see
   * {@link CacheWarmUp}) loaded into {@code products} before the instance takes traffic, through the
   * cache's own read path (fleet leases: one load per key across the fleet, what another instance loaded
   * is read from Redis; nothing while serve-cached spares the database), by the database's bulk read, and
   * bounded: start waits at most {@link CacheWarmUp#BOUND}, then goes on (so does the warm-up). Without it
   * a product first read while the database is down has nothing to serve.
   */
  private static void warmCache(TieredCache<String, Product> products, Database database) {
    CacheWarmUp.warm(products, database, CacheWarmUp.topSkus(CacheWarmUp.hotSetSize()), CacheWarmUp.BOUND);
  }

  Storefront storefront() {
    return storefront;
  }

  Switchboard switchboard() {
    return registry.get("switchboard", Switchboard.class);
  }

  /** The adaptive limit on searches ({@code concurrencyLimits.search}). */
  ConcurrencyLimiter searchLimiter() {
    return registry.get("search", ConcurrencyLimiter.class);
  }

  /** The order confirmations' queue. */
  JobQueue queue() {
    return registry.get("orders", JobQueue.class);
  }

  /** The queue of writes deferred in read-only mode. */
  JobQueue writes() {
    return registry.get("writes", JobQueue.class);
  }

  /** Stops the probe, then closes the registry: the cache, the queue (after its running jobs), the switchboard. */
  @Override
  public void close() {
    probe.close();
    closeQuietly(id, registry);
  }

  private static void closeQuietly(String id, Registry registry) {
    try {
      registry.close();
    } catch (Exception e) {
      LOG.warn("instance {}: closing its registry failed", id, e);
    }
  }
}
