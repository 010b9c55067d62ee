package dev.ballast.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Registry;
import dev.ballast.degradation.Switchboard;
import dev.ballast.examples.Storefront;
import dev.ballast.queue.JobQueue;
import dev.ballast.spring.BallastEndpoint;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ConfigurableApplicationContext;

/** The Spring Boot storefront starts on a real Redis, its beans carry Ballast's policies, and the script runs. */
class StorefrontApplicationTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  @Test
  void startsWithTheStarterAndRunsTheScript(RedisServer redis) {
    try (ConfigurableApplicationContext context = StorefrontApplication.start(redis.uri())) {
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
  void theHandWiredComparisonStartsToo(RedisServer redis) throws Exception {
    try (ConfigurableApplicationContext context = StorefrontApplication.start(redis.uri(),
        "--spring.autoconfigure.exclude=dev.ballast.spring.BallastAutoConfiguration", "--example.wiring=by-hand")) {
      assertThat(context.getBeansOfType(BallastEndpoint.class)).isEmpty();
      Storefront storefront = context.getBean(Storefront.class);
      assertThat(java.lang.reflect.Proxy.isProxyClass(storefront.getClass())).isTrue(); // Wrapper.wrap's proxy
      assertThat(storefront.product("sku-2").sku()).isEqualTo("sku-2");
    }
  }
}
