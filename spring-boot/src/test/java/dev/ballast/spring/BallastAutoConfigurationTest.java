package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.Retry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.cache.CacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Each condition of the auto-configuration, without Redis (no client is ever connected here). */
class BallastAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class));

  @Test
  void buildsTheRegistryFromBallastProperties() {
    runner.withPropertyValues("ballast.retries.payments.maxAttempts=4", "ballast.retries.payments.backoff.initial=10ms",
        "ballast.circuitBreakers.payments.minimumCalls=5").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Registry.class);
          Registry registry = context.getBean(Registry.class);
          assertThat(registry.get("payments", Retry.class)).isNotNull();
          assertThat(registry.get("payments", CircuitBreaker.class)).isNotNull();
        });
  }

  @Test
  void presetsAndExtendsWorkAsInAFile() {
    runner.withPropertyValues("ballast.extends=external-api", "ballast.rateLimiters.external-api.rate=7/s")
        .run(context -> {
          assertThat(context).hasNotFailed();
          Registry registry = context.getBean(Registry.class);
          assertThat(registry.namesOf(RateLimiter.class)).contains("external-api");
          assertThat(registry.get("external-api", Retry.class)).isNotNull();
        });
  }

  @Test
  void aListOfPresetsIsBoundFromIndexedProperties() {
    runner.withPropertyValues("ballast.extends[0]=spike-protection-typo").run(context -> assertThat(context)
        .getFailure().rootCause().hasMessageContaining("no preset named 'spike-protection-typo'"));
  }

  @Test
  void aMisspeltKeyFailsTheStartNamingItsFullPathAndTheClosestKey() {
    runner.withPropertyValues("ballast.retries.payments.maxAtempts=4").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ConfigException.class);
      ConfigException error = rootConfigException(context.getStartupFailure());
      assertThat(error.path()).isEqualTo("ballast.retries.payments.maxAtempts");
      assertThat(error.getMessage()).contains("ballast.retries.payments.maxAtempts: unknown key")
          .contains("did you mean 'maxAttempts'?");
    });
  }

  @Test
  void aMisspeltKeyInApplicationYamlIsReportedAtItsFileAndLine() {
    runner.withInitializer(new ConfigDataApplicationContextInitializer())
        .withPropertyValues("spring.config.name=misspelt").run(context -> {
          ConfigException error = rootConfigException(context.getStartupFailure());
          assertThat(error.source()).contains("misspelt.yml");
          assertThat(error.line()).isEqualTo(6);
          assertThat(error.getMessage()).contains("ballast.circuitBreakers.orders.failureRate: unknown key");
        });
  }

  @Test
  void anEnvironmentVariableStyleNameOverridesTheKeyItMatchesRelaxedly() {
    runner.withInitializer(new ConfigDataApplicationContextInitializer())
        .withPropertyValues("spring.config.name=relaxed", "ballast.retries.orders.maxattempts=101").run(context ->
            assertThat(rootConfigException(context.getStartupFailure()).getMessage())
                .contains("ballast.retries.orders.maxAttempts").contains("101"));
  }

  @Test
  void theStartersOwnKeysAndTestSupportsSystemPropertyAreNotSections() {
    runner.withPropertyValues("ballast.redis.binary=embedded", "ballast.cache-manager.enabled=false",
        "ballast.annotations.enabled=true").run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void noBallastPropertiesGivesAnEmptyRegistry() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(Registry.class).namesOf(Object.class)).isEmpty();
    });
  }

  @Test
  void userDefinedBeansWin() {
    Registry own = Registry.builder().build();
    ConfigContext ownContext = ConfigContext.defaults();
    runner.withBean(Registry.class, () -> own).withBean(ConfigContext.class, () -> ownContext)
        .withPropertyValues("ballast.retries.payments.maxAtempts=4") // would fail if the starter built one
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(Registry.class)).isSameAs(own);
          assertThat(context.getBean(ConfigContext.class)).isSameAs(ownContext);
        });
  }

  @Test
  void theApplicationsMeterRegistryIsUsedWhenThereIsOne() {
    MeterRegistry meters = new SimpleMeterRegistry();
    runner.withBean(MeterRegistry.class, () -> meters)
        .run(context -> assertThat(context.getBean(ConfigContext.class).meterRegistry()).isSameAs(meters));
    runner.run(context -> assertThat(context.getBean(ConfigContext.class).meterRegistry()).isNull());
  }

  @Test
  void theApplicationsRedisClientIsTheRedisResource() {
    RedisClient client = RedisClient.create(); // not connected: creating it opens nothing
    try {
      runner.withBean(RedisClient.class, () -> client).run(context ->
          assertThat(context.getBean(ConfigContext.class).resource("redis", RedisClient.class)).isSameAs(client));
      runner.run(context -> assertThat(context.getBean(ConfigContext.class).resources()).doesNotContainKey("redis"));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void withoutLettuceOnTheClassPathThereIsNoRedisResource() {
    runner.withClassLoader(new FilteredClassLoader(RedisClient.class)).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Registry.class).doesNotHaveBean("ballastRedisResource");
      assertThat(context.getBean(ConfigContext.class).resources()).isEmpty();
    });
  }

  @Test
  void customizersAddResources() {
    runner.withBean(ConfigContextCustomizer.class, () -> c -> c.resource("answer", 42)).run(context ->
        assertThat(context.getBean(ConfigContext.class).resource("answer", Integer.class)).isEqualTo(42));
  }

  @Test
  void ballastEnabledFalseTurnsTheStarterOff() {
    runner.withPropertyValues("ballast.enabled=false", "ballast.retries.payments.maxAtempts=4").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(Registry.class)
          .doesNotHaveBean(BallastAnnotationsPostProcessor.class);
    });
  }

  @Test
  void withoutAMeterRegistryBeanOrWithTwoNoneIsUsedAndTheStartSucceeds() {
    // Micrometer's API is on every Ballast class path (core needs it); an application without Spring's metrics
    // has no MeterRegistry bean, and one with two gets none chosen for it.
    runner.withPropertyValues("ballast.retries.payments.maxAttempts=2").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(ConfigContext.class).meterRegistry()).isNull();
    });
    runner.withBean("a", MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean("b", MeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> assertThat(context.getBean(ConfigContext.class).meterRegistry()).isNull());
  }

  @Test
  void withoutCacheTiersThereIsNoCacheManagerEvenWhenAskedFor() {
    runner.withPropertyValues("ballast.cache-manager.enabled=true")
        .withClassLoader(new FilteredClassLoader("dev.ballast.cache."))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CacheManager.class));
  }

  @Test
  void theCacheManagerOnlyWhenEnabledAndTheApplicationsOwnWins() {
    runner.withPropertyValues("ballast.caches.products.ttl=1m").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(CacheManager.class));
    runner.withPropertyValues("ballast.caches.products.ttl=1m", "ballast.cache-manager.enabled=true").run(context ->
        assertThat(context).hasNotFailed().hasSingleBean(BallastCacheManager.class));
    CacheManager own = new ConcurrentMapCacheManager("products");
    runner.withPropertyValues("ballast.caches.products.ttl=1m", "ballast.cache-manager.enabled=true")
        .withBean(CacheManager.class, () -> own).run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(BallastCacheManager.class);
          assertThat(context.getBean(CacheManager.class)).isSameAs(own);
        });
  }

  @Test
  void withoutQueueBackoffThereIsNoQueueShutdownAndTheApplicationsOwnWins() {
    runner.run(context -> assertThat(context).hasSingleBean(BallastQueueShutdown.class));
    runner.withClassLoader(new FilteredClassLoader("dev.ballast.queue."))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BallastQueueShutdown.class));
    BallastQueueShutdown own = new BallastQueueShutdown(Registry.builder().build());
    runner.withBean(BallastQueueShutdown.class, () -> own).run(context ->
        assertThat(context.getBean(BallastQueueShutdown.class)).isSameAs(own));
  }

  @Test
  void withoutDegradationTheRegistryHasNoSwitchboardAndTheEndpointShowsNone() {
    runner.withClassLoader(new FilteredClassLoader("dev.ballast.degradation."))
        .withPropertyValues("management.endpoints.web.exposure.include=ballast",
            "ballast.circuitBreakers.payments.minimumCalls=5")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(BallastEndpoint.class);
          assertThat(context.getBean(BallastEndpoint.class).ballast()).containsKey("circuitBreakers");
        });
  }

  @Test
  void theApplicationsEndpointAndHealthIndicatorWin() {
    BallastEndpoint endpoint = new BallastEndpoint(Registry.builder().build());
    org.springframework.boot.health.contributor.HealthIndicator health =
        () -> org.springframework.boot.health.contributor.Health.down().build();
    runner.withPropertyValues("management.endpoints.web.exposure.include=ballast")
        .withBean(BallastEndpoint.class, () -> endpoint)
        .withBean("ballastHealthIndicator", org.springframework.boot.health.contributor.HealthIndicator.class,
            () -> health)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(BallastEndpoint.class)).isSameAs(endpoint);
          assertThat(context.getBean("ballastHealthIndicator")).isSameAs(health);
        });
  }

  @Test
  void theHealthIndicatorCanBeTurnedOff() {
    runner.withPropertyValues("management.health.ballast.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("ballastHealthIndicator"));
  }

  static ConfigException rootConfigException(Throwable failure) {
    Throwable t = failure;
    ConfigException found = null;
    while (t != null) {
      if (t instanceof ConfigException e && found == null) {
        found = e;
      }
      t = t.getCause();
    }
    assertThat(found).as("a ConfigException in %s", failure).isNotNull();
    return found;
  }
}
