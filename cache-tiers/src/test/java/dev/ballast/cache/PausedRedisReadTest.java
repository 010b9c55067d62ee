package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        CompletableFuture<String> compose = cache.getAsyncCompose("a",
            key -> CompletableFuture.completedFuture("v-" + key));
        CompletableFuture<String> async = cache.getAsync("b", key -> "v-" + key);
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
}
