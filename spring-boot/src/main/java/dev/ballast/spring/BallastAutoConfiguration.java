package dev.ballast.spring;

import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cache.CacheManager;
import dev.ballast.cache.TieredCache;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Auto-configures Ballast in a Spring Boot application: a {@link Registry} built from the {@code ballast.*}
 * properties (the keys, presets, {@code extends:} and validation of a Ballast YAML file, read from Spring's
 * {@link Environment}), with the application's {@link MeterRegistry} and Lettuce {@link RedisClient} when it has
 * them; and a bean post-processor that applies Ballast's annotations to Spring beans. Beans the application
 * defines itself ({@code Registry}, {@code ConfigContext}) win. {@code ballast.enabled=false} turns it all off.
 */
@AutoConfiguration(beforeName = {
    "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration", // Spring Boot 4
    "org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration"}) // Spring Boot 3
@ConditionalOnClass(Registry.class)
@ConditionalOnBooleanProperty(name = "ballast.enabled", matchIfMissing = true)
public class BallastAutoConfiguration {

  /** Created by Spring. */
  public BallastAutoConfiguration() {}

  /**
   * The context the registry is built with: the application's meter registry (if exactly one) and what every
   * {@link ConfigContextCustomizer} adds.
   *
   * @param meterRegistry the application's meter registry, if any
   * @param customizers the customizers, in their {@code @Order}
   * @return the context
   */
  @Bean
  @ConditionalOnMissingBean
  public ConfigContext ballastConfigContext(ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<ConfigContextCustomizer> customizers) {
    ConfigContext.Builder context = ConfigContext.builder();
    meterRegistry.ifUnique(context::meterRegistry);
    customizers.orderedStream().forEach(customizer -> customizer.customize(context));
    return context.build();
  }

  /**
   * The registry built from {@code ballast.*}; closed with the application context.
   *
   * @param environment where the {@code ballast.*} properties are read
   * @param context what the components are built with
   * @return the registry
   * @throws ConfigException naming the property's origin and its full key path if the configuration is invalid
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Registry ballastRegistry(Environment environment, ConfigContext context) {
    EnvironmentConfiguration read = EnvironmentConfiguration.read(environment);
    try {
      return read.configuration().buildRegistry(context);
    } catch (ConfigException e) {
      throw read.atOrigin(e);
    }
  }

  /**
   * Applies Ballast's annotations to beans. Static, as a post-processor must be; it looks the registry up only
   * when it first meets an annotated bean.
   *
   * @param registry the registry, looked up lazily
   * @return the post-processor
   */
  @Bean
  @ConditionalOnBooleanProperty(name = "ballast.annotations.enabled", matchIfMissing = true)
  public static BallastAnnotationsPostProcessor ballastAnnotationsPostProcessor(ObjectProvider<Registry> registry) {
    return new BallastAnnotationsPostProcessor(registry);
  }

  /**
   * Hands the application's Lettuce client to Ballast as the {@code redis} resource: its {@code RedisClient} bean
   * if it has exactly one, else its {@code RedisClusterClient} bean if it has exactly one, else the client of
   * Spring Data Redis's {@code LettuceConnectionFactory} (standalone, Sentinel or Cluster), so Ballast opens no
   * second Redis configuration.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RedisClient.class)
  static class LettuceResource {

    @Bean
    ConfigContextCustomizer ballastRedisResource(ObjectProvider<RedisClient> clients,
        ObjectProvider<RedisClusterClient> clusterClients, ObjectProvider<LettuceClientSource> sources) {
      return context -> {
        AbstractRedisClient client = clients.getIfUnique();
        if (client == null) {
          client = clusterClients.getIfUnique();
        }
        if (client == null) {
          client = sources.orderedStream().map(LettuceClientSource::redisClient)
              .filter(java.util.Objects::nonNull).findFirst().orElse(null);
        }
        if (client != null) {
          context.resource("redis", client);
        }
      };
    }
  }

  /** Spring Data Redis's Lettuce client, when the application has a {@code LettuceConnectionFactory}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RedisClient.class, LettuceConnectionFactory.class})
  static class SpringDataRedisResource {

    @Bean
    LettuceClientSource ballastSpringDataRedisClient(ObjectProvider<LettuceConnectionFactory> factories) {
      return () -> {
        LettuceConnectionFactory factory = factories.getIfUnique();
        if (factory == null) {
          return null;
        }
        // A RedisClient (standalone, Sentinel) or a RedisClusterClient: Ballast's sections take either.
        AbstractRedisClient client = factory.getNativeClient();
        return client instanceof RedisClient || client instanceof RedisClusterClient ? client : null;
      };
    }
  }

  /** Where a Lettuce client may come from besides a bean of its type. */
  @FunctionalInterface
  interface LettuceClientSource {
    /** The client ({@link RedisClient} or {@link RedisClusterClient}), or null if this source has none. */
    @Nullable AbstractRedisClient redisClient();
  }

  /**
   * A Spring {@code CacheManager} over the caches of {@code ballast.caches}, when
   * {@code ballast.cache-manager.enabled=true} and cache-tiers is on the class path. Spring Boot's own cache
   * auto-configuration then backs off; a {@code CacheManager} of the application's wins.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({TieredCache.class, CacheManager.class})
  @ConditionalOnBooleanProperty(name = "ballast.cache-manager.enabled")
  static class TieredCacheManager {

    @Bean
    @ConditionalOnMissingBean(CacheManager.class)
    BallastCacheManager cacheManager(Registry registry, ConfigContext context, Environment environment) {
      Map<String, Class<?>> valueTypes = Binder.get(environment)
          .bind("ballast.cache-manager.value-types", Bindable.mapOf(String.class, (Class<Class<?>>) (Class<?>) Class.class))
          .orElse(Map.of());
      return new BallastCacheManager(registry, context, valueTypes);
    }
  }

  /** Job queues drained in Spring's shutdown phases, when queue-backoff is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.ballast.queue.JobQueue")
  static class QueueShutdown {

    @Bean
    @ConditionalOnMissingBean
    BallastQueueShutdown ballastQueueShutdown(Registry registry) {
      return new BallastQueueShutdown(registry);
    }
  }

  /** The actuator endpoint {@code ballast}, when the actuator is on the class path and the endpoint is exposed. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
  static class Actuator {

    @Bean
    @ConditionalOnMissingBean
    @org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint(
        endpoint = BallastEndpoint.class)
    BallastEndpoint ballastEndpoint(Registry registry) {
      return new BallastEndpoint(registry);
    }
  }

  /** The {@code ballast} health contributor, when Spring Boot's health module is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator")
  static class HealthContributor {

    @Bean
    @ConditionalOnMissingBean(name = "ballastHealthIndicator")
    @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("ballast")
    org.springframework.boot.health.contributor.HealthIndicator ballastHealthIndicator(Registry registry,
        ConfigContext context) {
      return new BallastHealthIndicator(registry, context.meterRegistry());
    }
  }
}
