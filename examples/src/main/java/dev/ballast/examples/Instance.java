package dev.ballast.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.cache.Codec;
import dev.ballast.cache.JsonCodec;
import dev.ballast.cache.TieredCache;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Registry;
import dev.ballast.core.Ticker;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.degradation.LatencyRecorder;
import dev.ballast.degradation.Mode;
import dev.ballast.degradation.OutcomeRecorder;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Trigger;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.QueueConfig;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One application instance with Ballast: its own registry (from {@code storefront.yaml}), two-level cache,
 * switchboard object and job workers, on the Redis the fleet shares. This is the one place where the
 * Ballast wiring lives.
 *
 * <p>The policies of the payment call and the database breaker come from {@code storefront.yaml} through
 * core's configuration and annotations. The cache, the switchboard and the queue are built here with
 * their builders, and {@link InterimAnnotations} applies {@code @Cached}/{@code @Feature}/{@code @Write}
 * by hand, until those modules' annotations and configuration sections are merged.
 */
final class Instance implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Instance.class);

  /**
   * The signals' window, per instance: at the baseline rate it holds about 150 product reads, over the 100
   * an error ratio needs before it has an opinion (with fewer, a trigger keeps its position, so a shorter
   * window would never let serve-cached go); short enough that the failures at the start of an outage are
   * forgotten a few seconds later.
   */
  private static final Duration SIGNAL_WINDOW = Duration.ofSeconds(4);

  private final String id;
  private final Registry registry;
  private final Switchboard switchboard;
  private final TieredCache<String, Product> products;
  private final JobQueue queue;
  private final DatabaseProbe probe;
  private final Storefront storefront;

  private Instance(String id, Registry registry, Switchboard switchboard, TieredCache<String, Product> products,
      JobQueue queue, DatabaseProbe probe, Storefront storefront) {
    this.id = id;
    this.registry = registry;
    this.switchboard = switchboard;
    this.products = products;
    this.queue = queue;
    this.probe = probe;
    this.storefront = storefront;
  }

  /**
   * Starts instance {@code id}: builds its components and registers its job workers.
   *
   * @param evaluateEvery how often the switchboard evaluates its triggers
   */
  static Instance start(String id, Backends backends, RedisClient redis, MeterRegistry metrics,
      Duration evaluateEvery) {
    CompositeMeterRegistry meters = new CompositeMeterRegistry();
    meters.config().commonTags("instance", id); // two instances, one scrape endpoint
    meters.add(metrics);
    Registry registry = configuration().buildRegistry(
        ConfigContext.builder().meterRegistry(meters).resource("redis", redis).build());

    Database database = Wrapper.wrap(Database.class, backends.database(), registry);
    CircuitBreaker databaseBreaker = registry.get("database", CircuitBreaker.class);
    Payments payments = Wrapper.wrap(Payments.class, backends.payments(), registry);

    LatencyRecorder readLatency = LatencyRecorder.of(SIGNAL_WINDOW, Ticker.system());
    OutcomeRecorder readOutcomes = OutcomeRecorder.of(SIGNAL_WINDOW, Ticker.system());
    Switchboard switchboard = Switchboard.builder()
        .name("storefront")
        .features("recommendations")
        // spike-protection's triggers: product reads at p95 >= 300 ms or >= 0.5 % errors serve from cache.
        .trigger(Trigger.onLatency("slow-product-reads", readLatency).degrade(SwitchName.SERVE_CACHED)
            .minDwell(Duration.ofSeconds(3)).scope(Trigger.Scope.FLEET).build())
        .trigger(Trigger.onErrorRatio("failing-product-reads", readOutcomes).degrade(SwitchName.SERVE_CACHED)
            .minDwell(Duration.ofSeconds(3)).scope(Trigger.Scope.FLEET).build())
        // The database is down: survival mode (serve-cached, read-only, non-critical features off).
        .trigger(Trigger.onBreakerOpen("database-down", databaseBreaker).enterMode(Mode.survival())
            .minDwell(Duration.ofSeconds(2)).scope(Trigger.Scope.FLEET).build())
        .redis(redis)
        .instanceId(id)
        .evaluateEvery(evaluateEvery)
        .meterRegistry(meters)
        .build();

    TieredCache<String, Product> products = TieredCache.builder("products", Codec.utf8(),
            JsonCodec.of(new ObjectMapper(), Product.class))
        .redis(redis)
        .l1Ttl(Duration.ofMillis(100))
        .ttl(Duration.ofMinutes(15))
        .staleWhileRevalidate(Duration.ofMinutes(5))
        .spareOrigin(switchboard.spareOriginSignal())
        .meterRegistry(meters)
        .build();

    JobQueue queue = JobQueue.redis(redis, QueueConfig.builder().name("orders").meterRegistry(meters).build());
    OrderJobs confirmations = new QueuedOrderJobs(queue, 2, backends.ledger(), backends.mail());

    Storefront impl = new StorefrontImpl(database, payments, confirmations);
    Storefront wrapped = Wrapper.wrap(Storefront.class, new InterimAnnotations(impl, products, switchboard), registry);
    Storefront storefront = new ProductReadSlo(wrapped, readLatency, readOutcomes);
    DatabaseProbe probe = DatabaseProbe.start(id, database, databaseBreaker, Duration.ofMillis(50));
    LOG.debug("instance {} started", id);
    return new Instance(id, registry, switchboard, products, queue, probe, storefront);
  }

  /** {@code storefront.yaml} from the class path. */
  static Configuration configuration() {
    try (InputStream in = Instance.class.getResourceAsStream("/storefront.yaml")) {
      if (in == null) {
        throw new IllegalStateException("storefront.yaml is not on the class path");
      }
      return Configuration.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "storefront.yaml");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String id() {
    return id;
  }

  Storefront storefront() {
    return storefront;
  }

  Switchboard switchboard() {
    return switchboard;
  }

  JobQueue queue() {
    return queue;
  }

  @Override
  public void close() {
    probe.close();
    queue.close();
    products.close();
    switchboard.close();
    try {
      registry.close();
    } catch (Exception e) {
      LOG.warn("instance {}: closing its registry failed", id, e);
    }
  }
}
