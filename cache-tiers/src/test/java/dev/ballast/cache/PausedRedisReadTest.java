package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A paused Redis (SIGSTOP): every entry point is bounded by {@code redisTimeout}, async ones too. */
class PausedRedisReadTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  @Test
  void asyncCallersReturnAsFastAsBlockingOnesWhileRedisIsPaused(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    try (TieredCache<String, String> cache = TieredCache.builder("paused", Codec.utf8(), Codec.utf8()).redis(client)
        .redisTimeout(Duration.ofMillis(250)).build()) {
      assertThat(cache.get("warm-up", key -> "v")).isEqualTo("v");
      server.pause();
      try {
        long start = System.nanoTime();
        CompletableFuture<String> compose = cache.getAsync("a",
            key -> CompletableFuture.completedFuture("v-" + key));
        CompletableFuture<String> async = cache.getAsyncWithBlockingLoader("b", key -> "v-" + key);
        assertThat(compose.get(5, TimeUnit.SECONDS)).isEqualTo("v-a");
        assertThat(async.get(5, TimeUnit.SECONDS)).isEqualTo("v-b");
        Duration asyncTook = Duration.ofNanos(System.nanoTime() - start);
        start = System.nanoTime();
        assertThat(cache.get("c", key -> "v-" + key)).isEqualTo("v-c");
        Duration syncTook = Duration.ofNanos(System.nanoTime() - start);
        // Each bounded by a few redisTimeouts (GET, lease, fill), nowhere near the 2 s pause.
        assertThat(asyncTook).isLessThan(Duration.ofMillis(1500));
        assertThat(syncTook).isLessThan(Duration.ofMillis(1500));
      } finally {
        server.resume();
      }
    } finally {
      client.shutdown();
    }
  }

  /**
   * A blocking {@code get} interrupted while its Redis {@code GET} waits (Redis paused, so the reply
   * cannot come first): the caller gets {@code CacheLoadException} (cause {@code InterruptedException}) with
   * its flag kept, the loader is not called on its behalf, and nothing counts as Redis being down.
   */
  @Test
  void anInterruptedGetWhoseRedisGetIsCutShortIsNotAnOutage(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger loads = new AtomicInteger();
    try (TieredCache<String, String> cache = TieredCache.builder("interrupted", Codec.utf8(), Codec.utf8())
        .redis(client).redisTimeout(Duration.ofSeconds(20)).meterRegistry(registry).build()) {
      assertThat(cache.get("warm-up", key -> "v")).isEqualTo("v");
      double unavailableBefore = unavailable(registry);
      server.pause();
      try {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        Thread caller = new Thread(() -> {
          try {
            cache.get("k", key -> {
              loads.incrementAndGet();
              return "loaded";
            });
          } catch (RuntimeException e) {
            thrown.set(e);
          }
          flagKept.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> caller.getState() == Thread.State.TIMED_WAITING
            || caller.getState() == Thread.State.WAITING);
        caller.interrupt();
        caller.join(10_000);
        assertThat(caller.isAlive()).as("the interrupted caller returned").isFalse();
        assertThat(thrown.get()).isInstanceOf(CacheLoadException.class).hasCauseInstanceOf(InterruptedException.class);
        assertThat(flagKept.get()).isTrue();
        assertThat(loads).as("no load for an interrupted caller").hasValue(0);
        assertThat(unavailable(registry)).as("l2.errors{reason=unavailable}").isEqualTo(unavailableBefore);
        assertThat(registry.find("ballast.redis.errors").counters()).allSatisfy(counter ->
            assertThat(counter.count()).as(counter.getId().toString()).isZero());
      } finally {
        server.resume();
      }
    } finally {
      client.shutdown();
    }
  }

  private static double unavailable(SimpleMeterRegistry registry) {
    var meter = registry.find("ballast.cache.l2.errors").tag("reason", "unavailable").meter();
    if (meter == null) {
      return 0;
    }
    double sum = 0;
    for (var m : meter.measure()) {
      sum += m.getValue();
    }
    return sum;
  }
}
