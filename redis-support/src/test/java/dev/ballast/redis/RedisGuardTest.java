package dev.ballast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisGuardTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

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
    connection.setTimeout(Duration.ofMillis(300));
    redis = connection.sync();
    guard = RedisGuard.create("test", RedisGuard.defaultBreaker("test", ticker), ticker, registry);
  }

  @AfterEach
  void disconnect() {
    connection.close();
    client.shutdown();
  }

  @Test
  void passesAnswersThroughWhileRedisIsUp() {
    redis.set("k", "v");
    assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("v");
    assertThat(guard.isDown()).isFalse();
    assertThat(registry.get("ballast.redis.up").tag("component", "test").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void servesTheFallbackDuringAnOutageCountsItOnceAndRecovers(RedisServer server) {
    server.stop();
    for (int i = 0; i < 20; i++) {
      assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("fallback");
    }
    assertThat(guard.isDown()).isTrue();
    assertThat(registry.get("ballast.redis.outages").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("ballast.redis.fallbacks").counter().count()).isEqualTo(20.0);
    assertThat(guard.breaker().state()).as("a dead Redis stops costing a timeout per call")
        .isEqualTo(CircuitBreaker.State.OPEN);
    double errorsWhileOpen = registry.get("ballast.redis.errors").counter().count();
    assertThat(errorsWhileOpen).isLessThan(20.0);

    server.start();
    now.advance(Duration.ofSeconds(2)); // past the breaker's open duration
    await().atMost(10, TimeUnit.SECONDS).ignoreExceptions()
        .until(() -> "PONG".equals(redis.ping()));
    redis.set("k", "back");
    assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("back");
    assertThat(guard.isDown()).isFalse();
    assertThat(registry.get("ballast.redis.outages").counter().count()).isEqualTo(1.0);
  }

  @Test
  void sporadicFailuresAreCountedAndServedButAreNoOutage() {
    redis.set("k", "v");
    int fallbacks = 0;
    for (int i = 0; i < 40; i++) {
      boolean blip = i % 10 == 0; // an injected fault on a healthy Redis: one call in ten
      String value = guard.call(() -> {
        if (blip) {
          throw new io.lettuce.core.RedisException("blip");
        }
        return redis.get("k");
      }, () -> "fallback");
      fallbacks += value.equals("fallback") ? 1 : 0;
    }
    assertThat(fallbacks).isEqualTo(4);
    assertThat(registry.get("ballast.redis.errors").counter().count()).isEqualTo(4.0);
    assertThat(registry.get("ballast.redis.outages").counter().count()).isZero();
    assertThat(guard.isDown()).isFalse();
  }

  @Test
  void asyncCallsFallBackInsteadOfFailing(RedisServer server) throws Exception {
    server.stop();
    String value = guard.callAsync(() -> connection.async().get("k"), () -> "fallback")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(value).isEqualTo("fallback");
    assertThat(registry.get("ballast.redis.errors").counter().count()).isEqualTo(1.0);
    assertThat(guard.isDown()).as("one failure is no outage").isFalse();
  }

  @Test
  void anErrorThrownByTheCallGivesTheBreakersPermissionBack() {
    for (int i = 0; i < 5; i++) { // injected connection failures open the breaker
      guard.call(() -> {
        throw new RedisConnectionException("injected");
      }, () -> "fallback");
    }
    assertThat(guard.breaker().state()).isEqualTo(CircuitBreaker.State.OPEN);
    now.advance(Duration.ofSeconds(2)); // past the open duration: one probe may go
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> guard.attempt(() -> {
      throw new AssertionError("a bug in the caller's code, not a Redis failure");
    })).isInstanceOf(AssertionError.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> guard.attemptAsync(() -> {
      throw new AssertionError("the same, before the stage exists");
    })).isInstanceOf(AssertionError.class);
    // The probe's permission came back: the next call reaches Redis instead of being short-circuited until
    // the half-open state times out.
    redis.set("k", "v");
    assertThat(guard.attempt(() -> redis.get("k"))).isEqualTo(new RedisReply.Ok<>("v"));
  }

  private RedisGuard guardOf(String component, SimpleMeterRegistry meters) {
    return RedisGuard.create(component, RedisGuard.defaultBreaker(component, ticker), ticker, meters);
  }

  /**
   * Five injected connection failures, enough to open the default breaker. (A real error reply, such as
   * INCR on a value that is not a number, no longer does: that is a data error, not an outage.)
   */
  private void failUntilDown(RedisGuard failing) {
    for (int i = 0; i < 5; i++) {
      assertThat(failing.call(() -> {
        throw new RedisConnectionException("injected: connection refused");
      }, () -> -1L)).isEqualTo(-1L);
    }
    assertThat(failing.isDown()).isTrue();
  }

  private double up(SimpleMeterRegistry meters, String component) {
    return meters.get("ballast.redis.up").tag("component", component).gauge().value();
  }

  @Test
  void theDefaultBreakerPublishesItsMetersUnderTheGuardsNameWhenGivenARegistry() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RedisGuard metered = RedisGuard.create("limiter:quota", meters);
    redis.set("k", "v");
    assertThat(metered.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("v");
    assertThat(meters.get("ballast.circuitbreaker.state").tag("name", "redis:limiter:quota").tag("state", "closed")
        .gauge().value()).isEqualTo(1.0);
    assertThat(meters.get("ballast.circuitbreaker.calls").tag("name", "redis:limiter:quota").tag("outcome", "success")
        .timer().count()).isEqualTo(1);
    metered.close();
  }

  @Test
  void guardsOfOneComponentShareOneUpGaugeThatIsZeroWhileAnyLiveOneIsDown() {
    RedisGuard first = guardOf("cache:products", registry);
    RedisGuard second = guardOf("cache:products", registry);
    RedisGuard other = guardOf("cache:users", registry);
    redis.set("k", "v");

    failUntilDown(second); // the guard Micrometer would have ignored: not the first registered
    assertThat(first.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("v");
    assertThat(registry.find("ballast.redis.up").tag("component", "cache:products").gauges()).hasSize(1);
    assertThat(up(registry, "cache:products")).isZero();
    assertThat(up(registry, "cache:users")).as("another component").isEqualTo(1.0);

    redis.set("not-a-number", "41");
    now.advance(Duration.ofSeconds(2)); // past the breaker's open duration
    assertThat(second.call(() -> redis.incr("not-a-number"), () -> -1L)).isEqualTo(42L);
    assertThat(second.isDown()).isFalse();
    assertThat(up(registry, "cache:products")).as("recovered").isEqualTo(1.0);
    assertThat(other.isDown()).isFalse();
  }

  @Test
  void aClosedGuardNoLongerCountsAndTheLastOneOutRemovesTheGauge() {
    RedisGuard closing = guardOf("cache:products", registry);
    RedisGuard staying = guardOf("cache:products", registry);
    failUntilDown(closing);
    assertThat(up(registry, "cache:products")).isZero();

    closing.close();
    closing.close(); // idempotent
    assertThat(closing.isDown()).as("the guard itself still knows").isTrue();
    assertThat(up(registry, "cache:products")).as("only the live guard counts").isEqualTo(1.0);

    staying.close();
    assertThat(registry.find("ballast.redis.up").tag("component", "cache:products").gauge())
        .as("no live guard, nothing to report").isNull();

    RedisGuard recreated = guardOf("cache:products", registry);
    assertThat(up(registry, "cache:products")).as("a re-created component starts afresh").isEqualTo(1.0);
    failUntilDown(recreated);
    assertThat(up(registry, "cache:products")).isZero();
  }

  @Test
  void theGaugeIsSharedPerRegistryNotAcrossRegistries() {
    SimpleMeterRegistry elsewhere = new SimpleMeterRegistry();
    RedisGuard here = guardOf("cache:products", registry);
    guardOf("cache:products", elsewhere);
    failUntilDown(here);
    assertThat(up(registry, "cache:products")).isZero();
    assertThat(up(elsewhere, "cache:products")).isEqualTo(1.0);
  }

  @Test
  void aGuardWithoutARegistryClosesQuietly() {
    RedisGuard unmetered = RedisGuard.create("quiet", RedisGuard.defaultBreaker("quiet", ticker), ticker, null);
    unmetered.close();
    assertThat(unmetered.call(() -> "still works", () -> "fallback")).isEqualTo("still works");
  }

  @Test
  void aProbeThatNeverReportsKeepsTheGuardOffRedisForSecondsNotForever() {
    failUntilDown(guard);
    now.advance(Duration.ofSeconds(1));
    assertThat(guard.tryAcquire()).as("the probe, whose command hangs and never reports").isTrue();
    now.advance(Duration.ofSeconds(5));
    assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).isEqualTo("fallback");
    assertThat(guard.breaker().state()).as("gave up on the probe").isEqualTo(CircuitBreaker.State.OPEN);

    redis.set("k", "v");
    now.advance(Duration.ofSeconds(1));
    assertThat(guard.call(() -> redis.get("k"), () -> "fallback")).as("a fresh probe").isEqualTo("v");
    assertThat(guard.isDown()).isFalse();
  }
}
