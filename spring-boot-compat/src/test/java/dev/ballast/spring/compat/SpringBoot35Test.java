package dev.ballast.spring.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Retry;
import dev.ballast.core.config.ConfigException;
import dev.ballast.degradation.Switchboard;
import dev.ballast.spring.BallastAutoConfiguration;
import dev.ballast.spring.BallastEndpoint;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.SpringVersion;

/**
 * The starter, built against Spring Boot 4.0, on Spring Boot 3.5: the registry from {@code ballast.*}, an
 * annotation on a class bean, a misspelt key failing the start with its path, the actuator endpoint's read and
 * write. Spring Boot 3.5 has no {@code spring-boot-health} module, so there is no health contributor there.
 */
class SpringBoot35Test {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
      .withPropertyValues("ballast.retries.flaky.maxAttempts=3", "ballast.retries.flaky.backoff.initial=1ms",
          "ballast.retries.flaky.backoff.max=1ms", "ballast.retries.flaky.backoff.jitter=none",
          "ballast.circuitBreakers.payments.minimumCalls=5", "ballast.switchboard.redis=false",
          "management.endpoints.web.exposure.include=ballast");

  /** A class bean without an interface: wrapped by a subclass proxy. */
  public static class Flaky {
    final AtomicInteger calls = new AtomicInteger();

    @Retry("flaky")
    public String call() {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("attempt " + calls.get());
      }
      return "ok after " + calls.get();
    }
  }

  @Test
  void runsOnSpringBoot35() {
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    assertThat(SpringVersion.getVersion()).startsWith("6.2.");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theRegistryAnnotationsAndEndpointWork() {
    runner.withBean(Flaky.class).run(context -> {
      assertThat(context).hasNotFailed();
      Registry registry = context.getBean(Registry.class);
      assertThat(registry.namesOf(CircuitBreaker.class)).contains("payments");

      Flaky flaky = context.getBean(Flaky.class);
      assertThat(AopUtils.isCglibProxy(flaky)).isTrue();
      assertThat(flaky.call()).isEqualTo("ok after 3");

      BallastEndpoint endpoint = context.getBean(BallastEndpoint.class);
      assertThat((Map<String, Object>) endpoint.ballast().get("circuitBreakers")).containsEntry("payments", "CLOSED");
      endpoint.flip("switchboard", "read-only", null, true, "alice", "drill", null);
      assertThat(registry.get("switchboard", Switchboard.class).isReadOnly()).isTrue();
      assertThat(context).doesNotHaveBean("ballastHealthIndicator");
    });
  }

  @Test
  void aMisspeltKeyFailsTheStartWithItsPath() {
    runner.withPropertyValues("ballast.retries.payments.maxAtempts=4").run(context -> {
      assertThat(context).hasFailed();
      Throwable cause = context.getStartupFailure();
      while (cause != null && !(cause instanceof ConfigException)) {
        cause = cause.getCause();
      }
      assertThat(cause).isInstanceOf(ConfigException.class)
          .hasMessageContaining("ballast.retries.payments.maxAtempts: unknown key");
    });
  }
}
