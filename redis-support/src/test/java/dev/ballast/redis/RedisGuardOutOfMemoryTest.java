package dev.ballast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A write Redis refuses under {@code maxmemory} (OOM) fails that write only: reads go on from Redis. */
class RedisGuardOutOfMemoryTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(
      RedisServer.builder().config("maxmemory", "2mb").config("maxmemory-policy", "noeviction"));

  @Test
  void writesRefusedForMemoryFailAloneAndDoNotOpenTheBreaker(RedisServer server) {
    ManualTicker now = new ManualTicker();
    Ticker ticker = now::read;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RedisClient client = server.newClient();
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.setTimeout(Duration.ofSeconds(10));
      RedisCommands<String, String> redis = connection.sync();
      RedisGuard guard = RedisGuard.create("oom", RedisGuard.defaultBreaker("oom", ticker), ticker, registry);
      fillUntilRefused(redis);
      String big = "x".repeat(64 * 1024);

      for (int i = 0; i < 20; i++) {
        int n = i;
        RedisReply<String> reply = guard.attempt(() -> redis.set("more:" + n, big));
        assertThat(reply).isInstanceOfSatisfying(RedisReply.Failed.class,
            failed -> assertThat(failed.kind()).isEqualTo(RedisErrorKind.OUT_OF_MEMORY));
      }

      assertThat(guard.breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(guard.isDown()).isFalse();
      assertThat(registry.get("ballast.redis.errors").tag("component", "oom").tag("kind", "oom").counter().count())
          .isEqualTo(20.0);
      assertThat(registry.find("ballast.redis.errors").tag("kind", "unavailable").counter()).isNull();
      assertThat(guard.call(() -> redis.get("first"), () -> "fallback")).as("reads still come from Redis")
          .isEqualTo("kept");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aWriteRefusedForMemoryInsideAScriptIsOutOfMemoryToo(RedisServer server) {
    // Redis 6.2 words an error raised inside a script's redis.call ("@user_script: 1: -OOM ...") unlike one
    // replied by the called command ("@user_script:1: WRONGTYPE ..."); READONLY and MISCONF take that form too.
    ManualTicker now = new ManualTicker();
    Ticker ticker = now::read;
    RedisClient client = server.newClient();
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.setTimeout(Duration.ofSeconds(10));
      RedisCommands<String, String> redis = connection.sync();
      RedisGuard guard = RedisGuard.create("oom-script", RedisGuard.defaultBreaker("oom-script", ticker), ticker,
          new SimpleMeterRegistry());
      server.flushAll(); // the class shares one server: start empty, and leave it so
      fillUntilRefused(redis);
      RedisReply<String> reply = guard.attempt(() -> redis.eval("return redis.call('SET', KEYS[1], ARGV[1])",
          io.lettuce.core.ScriptOutputType.STATUS, new String[] {"scripted"}, "x".repeat(64 * 1024)));
      assertThat(reply).isInstanceOfSatisfying(RedisReply.Failed.class, failed -> assertThat(failed.kind())
          .as(String.valueOf(failed.error())).isEqualTo(RedisErrorKind.OUT_OF_MEMORY));
    } finally {
      server.flushAll();
      client.shutdown();
    }
  }

  /** Writes 32 KiB values until Redis answers OOM (bounded: 2 MiB fill in far fewer than 200 writes). */
  private static void fillUntilRefused(RedisCommands<String, String> redis) {
    try {
      redis.set("first", "kept");
    } catch (RedisCommandExecutionException alreadyFull) {
      fail("the server is full before the test wrote anything: raise maxmemory", alreadyFull);
    }
    String chunk = "f".repeat(32 * 1024);
    for (int i = 0; i < 200; i++) {
      try {
        redis.set("fill:" + i, chunk);
      } catch (RedisCommandExecutionException e) {
        assertThat(e).hasMessageStartingWith("OOM");
        return;
      }
    }
    fail("Redis took 6 MiB without an OOM reply under maxmemory 2mb");
  }
}
