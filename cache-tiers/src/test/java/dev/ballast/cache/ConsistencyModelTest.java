package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Random get / put / invalidate across three instances against a model (the origin's current value).
 * The documented bound: once an invalidation has reached an instance, that instance never serves an older
 * value. So after each write the model waits until every other instance has received it, and then every
 * read on any instance must return the origin's current value. L1 never expires by time here (manual
 * clocks that do not move), so only invalidation can make L1 right.
 */
class ConsistencyModelTest {

  private static final int INSTANCES = 3;
  private static RedisServer server;
  private static final List<RedisClient> clients = new ArrayList<>();
  private static final AtomicInteger names = new AtomicInteger();
  private static final List<World> open = new ArrayList<>();

  @BeforeContainer
  static void startRedis() {
    server = RedisServer.fromEnvironment();
    for (int i = 0; i < INSTANCES; i++) {
      clients.add(server.newClient());
    }
  }

  @AfterContainer
  static void stopRedis() {
    clients.forEach(RedisClient::shutdown);
    server.close();
  }

  @AfterTry
  void closeWorld() {
    open.forEach(World::close);
    open.clear();
  }

  /** The system under test and its model. */
  static final class World {
    final List<TieredCache<String, String>> caches = new ArrayList<>();
    final List<SimpleMeterRegistry> registries = new ArrayList<>();
    final long[] expectedReceived = new long[INSTANCES];
    final Map<String, String> origin = new ConcurrentHashMap<>();
    final AtomicLong version = new AtomicLong();
    final ManualTicker clock = new ManualTicker();

    World() {
      String name = "model" + names.incrementAndGet();
      for (int i = 0; i < INSTANCES; i++) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registries.add(registry);
        caches.add(TieredCache.builder(name, Codec.utf8(), Codec.utf8()).redis(clients.get(i)).ticker(clock::read)
            .negativeTtl(Duration.ofMinutes(1)).meterRegistry(registry)
            .redisTimeout(Lenient.REDIS_TIMEOUT).redisCircuitBreaker(Lenient.breaker()).build());
      }
      synchronized (open) {
        open.add(this);
      }
    }

    void get(int instance, String key) {
      String value = caches.get(instance).get(key, origin::get);
      assertThat(value).as("instance %d read %s", instance, key).isEqualTo(origin.get(key));
    }

    void put(int instance, String key) {
      String value = key + "@" + version.incrementAndGet();
      origin.put(key, value);
      caches.get(instance).put(key, value);
      awaitDelivered(instance);
    }

    void invalidate(int instance, String key) {
      // The origin changes behind the cache's back, then the application invalidates.
      origin.put(key, key + "@" + version.incrementAndGet());
      caches.get(instance).invalidate(key);
      awaitDelivered(instance);
    }

    private void awaitDelivered(int sender) {
      for (int i = 0; i < INSTANCES; i++) {
        if (i == sender) {
          continue;
        }
        long expected = ++expectedReceived[i];
        SimpleMeterRegistry registry = registries.get(i);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).until(
            () -> registry.find("ballast.cache.invalidations.received").functionCounter().count() >= expected);
      }
    }

    void close() {
      caches.forEach(TieredCache::close);
    }
  }

  @Property(tries = 25)
  void noInstanceReadsOlderThanTheLastDeliveredInvalidation(@ForAll("chains") ActionChain<World> chain) {
    chain.run();
  }

  @Provide
  net.jqwik.api.Arbitrary<ActionChain<World>> chains() {
    return ActionChain.<World>startWith(World::new)
        .withAction(3, action("get", World::get))
        .withAction(1, action("put", World::put))
        .withAction(1, action("invalidate", World::invalidate))
        .withMaxTransformations(30);
  }

  interface Step {
    void apply(World world, int instance, String key);
  }

  private static Action.Independent<World> action(String name, Step step) {
    return () -> Combinators.combine(Arbitraries.integers().between(0, INSTANCES - 1), Arbitraries.of("a", "b", "c"))
        .as((instance, key) -> Transformer.mutate(name + "(" + instance + ", " + key + ")",
            world -> step.apply(world, instance, key)));
  }
}
