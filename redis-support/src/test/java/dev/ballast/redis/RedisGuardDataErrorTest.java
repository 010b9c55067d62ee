package dev.ballast.redis;

import dev.ballast.testsupport.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Errors about one key, value, script or permission are failures of that call only: Redis answered, so
 * they never open the breaker around Redis, and healthy keys keep being served by Redis. Each is counted
 * with its kind and logged at most once a minute per kind.
 */
class RedisGuardDataErrorTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final int BAD_CALLS = 20;

  private final ManualTicker now = new ManualTicker();
  private final Ticker ticker = now::read;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private RedisGuard guard;

  @BeforeEach
  void connect(RedisServer server) {
    client = server.newClient();
    connection = client.connect();
    connection.setTimeout(Duration.ofSeconds(10));
    redis = connection.sync();
    redis.flushall();
    guard = RedisGuard.create("data-errors", RedisGuard.defaultBreaker("data-errors", ticker), ticker, registry);
    redis.set("healthy", "v");
  }

  @AfterEach
  void disconnect() {
    guard.close();
    connection.close();
    client.shutdown();
  }

  private double errors(String kind) {
    Counter counter = registry.find("ballast.redis.errors").tag("component", "data-errors").tag("kind", kind)
        .counter();
    return counter == null ? 0 : counter.count();
  }

  /** Runs {@code badCall} {@link #BAD_CALLS} times through the guard and checks Redis stays trusted. */
  private <T> void assertFailsAloneEachTime(Supplier<T> badCall, T fallback, RedisErrorKind kind) {
    for (int i = 0; i < BAD_CALLS; i++) {
      RedisReply<T> reply = guard.attempt(badCall);
      assertThat(reply).isInstanceOf(RedisReply.Failed.class);
      assertThat(((RedisReply.Failed<T>) reply).kind()).as("%s", reply).isEqualTo(kind);
      assertThat(guard.call(badCall, () -> fallback)).isEqualTo(fallback);
    }
    assertThat(guard.breaker().state()).as("Redis answered every call").isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(guard.isDown()).isFalse();
    assertThat(errors(kind.tag())).isEqualTo(2.0 * BAD_CALLS);
    assertThat(registry.get("ballast.redis.outages").counter().count()).isZero();
    assertThat(registry.get("ballast.redis.up").tag("component", "data-errors").gauge().value()).isEqualTo(1.0);
    assertThat(guard.call(() -> redis.get("healthy"), () -> "fallback")).as("a healthy key is still read from Redis")
        .isEqualTo("v");
  }

  @Test
  void wrongTypeOnTwentyKeysFailsThoseCallsButDoesNotOpenTheBreaker() {
    for (int i = 0; i < BAD_CALLS; i++) {
      redis.rpush("list:" + i, "not a string");
    }
    AtomicLong next = new AtomicLong();
    assertFailsAloneEachTime(() -> redis.get("list:" + next.getAndIncrement() % BAD_CALLS), "fallback",
        RedisErrorKind.WRONG_TYPE);
  }

  @Test
  void aScriptCallingAnUnknownCommandIsAScriptErrorNotAnOutage() {
    assertFailsAloneEachTime(
        () -> redis.eval("return redis.call('nosuchcommand', KEYS[1])", ScriptOutputType.INTEGER, "healthy"), -1L,
        RedisErrorKind.SCRIPT);
  }

  @Test
  void aScriptRuntimeErrorOnBadDataIsAScriptErrorNotAnOutage() {
    redis.set("not-a-number", "abc");
    // Lua arithmetic on a value that is not a number: a runtime error of the script on the data it found.
    assertFailsAloneEachTime(
        () -> redis.eval("return redis.call('get', KEYS[1]) + 1", ScriptOutputType.INTEGER, "not-a-number"), -1L,
        RedisErrorKind.SCRIPT);
  }

  @Test
  void aScriptsOwnErrorReplyIsAnErrorReplyNotAnOutage() {
    assertFailsAloneEachTime(
        () -> redis.eval("return redis.error_reply('bad job data')", ScriptOutputType.INTEGER, "healthy"), -1L,
        RedisErrorKind.REPLY);
  }

  @Test
  void anErrorReplyAboutAValueIsNotAnOutage() {
    redis.set("not-a-number", "abc");
    assertFailsAloneEachTime(() -> redis.incr("not-a-number"), -1L, RedisErrorKind.REPLY);
  }

  @Test
  void noPermissionForAKeyIsNotAnOutage(RedisServer server) {
    redis.aclSetuser("limited", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("secret")
        .keyPattern("allowed:*").allCommands());
    RedisClient limitedClient = RedisClient.create(RedisURI.builder(RedisURI.create(server.uri()))
        .withAuthentication("limited", "secret".toCharArray()).build());
    try (StatefulRedisConnection<String, String> limited = limitedClient.connect()) {
      limited.setTimeout(Duration.ofSeconds(10));
      RedisCommands<String, String> commands = limited.sync();
      commands.set("allowed:1", "ok");
      assertFailsAloneEachTime(() -> commands.get("forbidden:1"), "fallback", RedisErrorKind.NO_PERMISSION);
      assertThat(guard.call(() -> commands.get("allowed:1"), () -> "fallback")).isEqualTo("ok");
    } finally {
      limitedClient.shutdown();
    }
  }

  @Test
  void eachDataErrorKindIsLoggedAtMostOnceAMinuteWithHowManySinceTheLastLine() {
    redis.rpush("list", "x");
    redis.set("not-a-number", "abc");
    try (LogCapture log = new LogCapture()) {
      for (int i = 0; i < BAD_CALLS; i++) {
        guard.call(() -> redis.get("list"), () -> "fallback");
        guard.call(() -> redis.incr("not-a-number"), () -> -1L);
        now.advance(Duration.ofSeconds(1));
      }
      assertThat(log.lines("WARN", "data-errors", "(wrongtype)")).hasSize(1);
      assertThat(log.lines("WARN", "data-errors", "(reply)")).as("another kind has its own line").hasSize(1);
      assertThat(log.lines("WARN", "data-errors", "(wrongtype)").get(0)).contains("WRONGTYPE", "1 of this kind since the last line");

      now.advance(Duration.ofSeconds(41)); // a minute after the first line
      guard.call(() -> redis.get("list"), () -> "fallback");
      List<String> wrongType = log.lines("WARN", "data-errors", "(wrongtype)");
      assertThat(wrongType).hasSize(2);
      assertThat(wrongType.get(1)).as("the 19 unlogged ones and this one").contains("20 of this kind since the last line");
      assertThat(log.lines("unavailable for data-errors")).as("no outage was logged").isEmpty();
    }
  }

  @Test
  void attemptSaysWhatHappenedForEachReplyShape() throws Exception {
    redis.rpush("list", "x");
    assertThat(guard.attempt(() -> redis.get("healthy"))).isEqualTo(new RedisReply.Ok<>("v"));
    assertThat(guard.attempt(() -> redis.get("missing"))).as("a missing key is an answer")
        .isEqualTo(new RedisReply.Ok<String>(null));
    RedisReply<String> failed = guard.attempt(() -> redis.get("list"));
    assertThat(failed).isInstanceOfSatisfying(RedisReply.Failed.class, f -> {
      assertThat(f.kind()).isEqualTo(RedisErrorKind.WRONG_TYPE);
      assertThat(f.error()).isInstanceOf(RedisCommandExecutionException.class).hasMessageStartingWith("WRONGTYPE");
    });
    assertThat(failed.isOk()).isFalse();
    assertThat(failed.valueOr("other")).isEqualTo("other");

    assertThat(guard.attemptAsync(() -> connection.async().get("healthy")).toCompletableFuture()
        .get(10, TimeUnit.SECONDS)).isEqualTo(new RedisReply.Ok<>("v"));
    RedisReply<String> failedAsync = guard.attemptAsync(() -> connection.async().get("list")).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(failedAsync).isInstanceOfSatisfying(RedisReply.Failed.class,
        f -> assertThat(f.kind()).isEqualTo(RedisErrorKind.WRONG_TYPE));

    guard.breaker().forceOpen();
    AtomicLong asked = new AtomicLong();
    assertThat(guard.attempt(() -> redis.get("healthy" + asked.incrementAndGet())))
        .isInstanceOf(RedisReply.ShortCircuited.class);
    assertThat(guard.attemptAsync(() -> connection.async().get("healthy" + asked.incrementAndGet()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS)).isInstanceOf(RedisReply.ShortCircuited.class);
    assertThat(asked).as("Redis was not asked").hasValue(0);
    assertThat(guard.call(() -> redis.get("healthy"), () -> "fallback")).isEqualTo("fallback");
    assertThat(guard.callAsync(() -> connection.async().get("healthy"), () -> "fallback").toCompletableFuture()
        .get(10, TimeUnit.SECONDS)).isEqualTo("fallback");
  }
}
