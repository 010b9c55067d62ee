package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.spring.BallastCacheManagerRedisTest.App;
import dev.ballast.spring.BallastCacheManagerRedisTest.Catalog;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * An application whose Spring Data Redis runs on a Redis Cluster gets Ballast on that cluster, not in-memory
 * parts: the starter hands the factory's {@code RedisClusterClient} to the caches and queues. Two contexts
 * (two instances, each with its own client) share the cache's second level and the queue.
 */
class BallastSpringDataRedisClusterTest {

  @RegisterExtension static final RedisClusterExtension CLUSTER = RedisClusterExtension.create();

  static final JobType<String> MAIL = JobType.of("mail", JobCodec.utf8());

  @Test
  void springDataRedisClusterClientBacksTheCachesAndQueues(RedisCluster cluster) {
    List<String> nodes = cluster.uris().stream().map(uri -> uri.getHost() + ":" + uri.getPort()).toList();
    String prefix = "sdrc" + System.nanoTime();
    ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .withBean(LettuceConnectionFactory.class, () -> new LettuceConnectionFactory(new RedisClusterConfiguration(nodes)))
        .withPropertyValues("ballast.cache-manager.enabled=true", "ballast.caches.products.keyPrefix=" + prefix + ":",
            "ballast.queues.mail.keyPrefix=" + prefix);
    runner.run(a -> runner.run(b -> {
      assertThat(a).hasNotFailed();
      assertThat(b).hasNotFailed();
      Object used = a.getBean(ConfigContext.class).resource("redis", Object.class);
      assertThat(used).isInstanceOf(RedisClusterClient.class)
          .isSameAs(a.getBean(LettuceConnectionFactory.class).getNativeClient());

      // The second instance reads the first one's value from Redis: no load of its own.
      assertThat(a.getBean(Catalog.class).product("1")).isEqualTo("product 1 v1");
      assertThat(b.getBean(Catalog.class).product("1")).isEqualTo("product 1 v1");
      assertThat(b.getBean(Catalog.class).loads()).isZero();

      // A job enqueued on one instance is in the other's queue.
      JobQueue first = a.getBean(Registry.class).get("mail", JobQueue.class);
      JobQueue second = b.getBean(Registry.class).get("mail", JobQueue.class);
      first.declare(MAIL);
      first.enqueue(MAIL, "ann");
      assertThat(second.stats().ready()).isEqualTo(1);
    }));
  }
}
