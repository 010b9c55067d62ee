package dev.ballast.examples.spring;

import dev.ballast.core.Registry;
import dev.ballast.examples.Database;
import dev.ballast.examples.Payments;
import dev.ballast.examples.Product;
import dev.ballast.examples.Receipt;
import dev.ballast.examples.Storefront;
import dev.ballast.examples.StorefrontServices;
import dev.ballast.queue.JobQueue;
import dev.ballast.spring.BallastEndpoint;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The demo's storefront as a Spring Boot application. Its services are plain Spring beans, the unwrapped
 * implementations; the Ballast starter builds the registry from the {@code ballast:} block of
 * {@code application.yml} with the {@link RedisClient} bean below, and applies the annotations of
 * {@link Database}, {@link Payments} and {@link Storefront} (caching, breakers, retries, the rate limit, the
 * feature switch, the write guard and its write-behind fallbacks) to the beans. No {@code Wrapper.wrap} anywhere.
 *
 * <p>{@link #main} starts Redis as the demo does ({@code REDIS_URL}, else {@code redis-server} on the
 * {@code PATH}, else the embedded binary), starts the application with its web server (the storefront's routes in
 * {@link StorefrontController}, the actuator at {@code /actuator/ballast} and {@code /actuator/health}), runs a
 * short script against it and prints what the actuator endpoint and health show, then serves until Enter is
 * pressed ({@code --example.exit-after-script=true} closes it at once instead); it closes the context (the queues
 * drain first) before Redis stops. Without a console it serves until the process is stopped.
 */
@SpringBootApplication
public class StorefrontApplication {

  /** Created by Spring. */
  public StorefrontApplication() {}

  /** The application's Lettuce client: the starter hands it to Ballast as the {@code redis} resource. */
  @Bean(destroyMethod = "shutdown")
  RedisClient redisClient(@Value("${example.redis.uri}") String uri) {
    return RedisClient.create(uri);
  }

  /**
   * Where Ballast's meters go (the starter uses the application's only {@code MeterRegistry}); an application
   * with Spring Boot's metrics module has one already. The health contributor reads the Redis guards from it.
   */
  @Bean
  MeterRegistry meterRegistry() {
    return new SimpleMeterRegistry();
  }

  @Bean
  Database database() {
    return StorefrontServices.database();
  }

  @Bean
  Payments payments() {
    return StorefrontServices.payments();
  }

  /** Built over the database and payments beans: Spring passes them in already wrapped by the starter. */
  @Bean
  Storefront storefront(Database database, Payments payments, Registry registry) {
    return StorefrontServices.storefront(database, payments, registry);
  }

  /**
   * Starts Redis and the application, runs the script, serves until Enter, stops both.
   *
   * @param args Spring Boot arguments ({@code --ballast.caches.products.ttl=1m} and the like)
   */
  public static void main(String[] args) throws Exception {
    try (RedisServer redis = RedisServer.fromEnvironment()) {
      ConfigurableApplicationContext context = start(redis.uri(), args);
      try {
        script(context);
      } catch (Exception | Error e) {
        close(context); // else the web server's threads keep the JVM alive after the failure
        throw e;
      }
      if (context.getEnvironment().getProperty("example.exit-after-script", Boolean.class, false)) {
        close(context);
        return;
      }
      String base = "http://localhost:" + context.getEnvironment().getProperty("local.server.port");
      System.out.println();
      System.out.println("serving on " + base + " (Enter stops it: the queues drain, then Redis stops):");
      System.out.println("  curl " + base + "/products/sku-7");
      System.out.println("  curl " + base + "/recommendations/ann");
      System.out.println("  curl -X POST '" + base + "/cart?user=ann&sku=sku-7&quantity=1'");
      System.out.println("  curl -X POST '" + base + "/checkout?user=ann&orderId=order-2&amountCents=4200'");
      System.out.println("  curl " + base + "/actuator/ballast");
      System.out.println("  curl " + base + "/actuator/health");
      System.out.println("  curl -X POST " + base + "/actuator/ballast -H 'Content-Type: application/json' -d '"
          + "{\"switchboard\":\"switchboard\",\"mode\":\"survival\",\"degraded\":true,\"who\":\"me\","
          + "\"why\":\"drill\"}'");
      if (System.in.read() < 0) {
        new CountDownLatch(1).await(); // no console: serve until the process is stopped
      }
      close(context);
    }
  }

  /** Closes the context before Redis stops, so the queues drain against a live Redis. */
  private static void close(ConfigurableApplicationContext context) {
    long closing = System.nanoTime();
    context.close();
    System.out.printf("closed in %d ms (queues drained first, then the beans, then the registry)%n",
        (System.nanoTime() - closing) / 1_000_000);
  }

  /**
   * Starts the application, with its web server ({@code server.port}, 8080 unless an argument says otherwise),
   * on the Redis at {@code redisUri}.
   */
  static ConfigurableApplicationContext start(String redisUri, String... args) {
    SpringApplication application = new SpringApplication(StorefrontApplication.class);
    application.setDefaultProperties(Map.of("example.redis.uri", redisUri));
    return application.run(args);
  }

  /** What an operator and a customer would do; prints what they see. */
  static void script(ConfigurableApplicationContext context) {
    Storefront storefront = context.getBean(Storefront.class);
    BallastEndpoint endpoint = context.getBean(BallastEndpoint.class);
    HealthIndicator health = context.getBean("ballastHealthIndicator", HealthIndicator.class);

    Product product = storefront.product("sku-7");
    System.out.println("product page:       " + product + " (read through the two-level cache 'products')");
    System.out.println("recommendations:    " + storefront.recommendations("ann").products().size() + " products");
    Receipt receipt = storefront.checkout("ann", "order-1", 4_200);
    System.out.println("checkout:           " + receipt + " (rate limit, retry, breaker, timeout on payments)");

    endpoint.flip("switchboard", null, "survival", true, "alice", "database failover drill", null);
    System.out.println("operator:           POST /actuator/ballast {mode: survival, degraded: true}");
    System.out.println("recommendations:    " + storefront.recommendations("ann") + " (feature off: fallback)");
    storefront.addToCart("ann", "sku-7", 1);
    System.out.println("add to cart:        refused by read-only mode, queued on 'writes' (write-behind)");
    System.out.println("health:             " + health.health().getStatus() + " " + health.health().getDetails());
    endpoint.flip("switchboard", null, "survival", false, "alice", "drill over", null);
    JobQueue writes = context.getBean(Registry.class).get("writes", JobQueue.class);
    System.out.println("queue 'writes':     " + endpoint.queue("writes") + " (" + writes.stats().pending()
        + " pending: applied now that writes are allowed again)");
    System.out.println("GET /actuator/ballast (breakers): " + endpoint.ballast().get("circuitBreakers"));
  }
}
