package dev.ballast.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Registry;
import dev.ballast.degradation.Switchboard;
import dev.ballast.examples.Storefront;
import dev.ballast.queue.JobQueue;
import dev.ballast.spring.BallastEndpoint;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot storefront starts on a real Redis, its beans carry Ballast's policies, the script runs, and it
 * serves its routes and the actuator over HTTP (a random port).
 */
class StorefrontApplicationTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  private static final String RANDOM_PORT = "--server.port=0";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void startsWithTheStarterAndRunsTheScript(RedisServer redis) {
    try (ConfigurableApplicationContext context = StorefrontApplication.start(redis.uri(), RANDOM_PORT)) {
      Storefront storefront = context.getBean(Storefront.class);
      assertThat(AopUtils.isAopProxy(storefront)).isTrue();
      assertThat(storefront.product("sku-1").sku()).isEqualTo("sku-1");

      StorefrontApplication.script(context);

      Switchboard board = context.getBean(Registry.class).get("switchboard", Switchboard.class);
      assertThat(board.activeModes()).doesNotContain("survival"); // the script left the mode again
      JobQueue writes = context.getBean(Registry.class).get("writes", JobQueue.class);
      // The cart line refused in read-only mode was queued, and is applied once writes are allowed again.
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> writes.stats().pending() == 0);
      assertThat(context.getBean(BallastEndpoint.class).ballast()).containsKeys("switchboards", "queues", "caches");
    }
  }

  @Test
  void servesTheStorefrontAndTheActuatorOverHttp(RedisServer redis) throws Exception {
    try (ConfigurableApplicationContext context = StorefrontApplication.start(redis.uri(), RANDOM_PORT)) {
      String base = "http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port");
      HttpResponse<String> product = get(base + "/products/sku-3");
      assertThat(product.statusCode()).isEqualTo(200);
      assertThat(product.body()).contains("\"sku\":\"sku-3\"");

      assertThat(flipRecommendations(base, true).statusCode()).isEqualTo(200);
      try {
        HttpResponse<String> recommendations = get(base + "/recommendations/ann");
        assertThat(recommendations.statusCode()).isEqualTo(200);
        assertThat(recommendations.body()).contains("\"fallback\":true"); // the feature is off: the fallback

        HttpResponse<String> view = get(base + "/actuator/ballast");
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.body()).contains("\"switchboards\"", "\"queues\"", "\"products\"");
        HttpResponse<String> health = get(base + "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"ballast\"", "feature:recommendations");
      } finally {
        // The switch lives in the shared Redis: leave it as found for the next test's context.
        assertThat(flipRecommendations(base, false).statusCode()).isEqualTo(200);
      }
    }
  }

  private HttpResponse<String> flipRecommendations(String base, boolean degraded)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + "/actuator/ballast"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"switchboard\":\"switchboard\",\"switchName\":"
            + "\"feature:recommendations\",\"degraded\":" + degraded + ",\"who\":\"test\",\"why\":\"http\"}")));
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theHandWiredComparisonStartsToo(RedisServer redis) throws Exception {
    try (ConfigurableApplicationContext context = StorefrontApplication.start(redis.uri(), RANDOM_PORT,
        "--spring.autoconfigure.exclude=dev.ballast.spring.BallastAutoConfiguration", "--example.wiring=by-hand")) {
      assertThat(context.getBeansOfType(BallastEndpoint.class)).isEmpty();
      Storefront storefront = context.getBean(Storefront.class);
      assertThat(java.lang.reflect.Proxy.isProxyClass(storefront.getClass())).isTrue(); // Wrapper.wrap's proxy
      assertThat(storefront.product("sku-2").sku()).isEqualTo("sku-2");
    }
  }
}
