package dev.ballast.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.Pipeline;
import dev.ballast.core.Policy;
import dev.ballast.core.Rate;
import dev.ballast.core.RateLimitExceededException;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.Configuration;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fleet-wide limiter is usable everywhere the local one is: in {@code Pipeline.of}, behind
 * {@code @RateLimited}, and in configuration ({@code scope: fleet} with a {@code redis} resource), each
 * time deciding on the bucket in Redis that two instances share.
 */
@ExtendWith(RedisExtension.class)
class FleetRateLimiterUsesTest {

  /** A client interface as a user writes one. */
  public interface Quotes {
    @RateLimited("quotes")
    String quote(String symbol);
  }

  RedisClient client;
  StatefulRedisConnection<String, String> raw;

  @BeforeEach
  void connect(RedisServer server) {
    client = server.newClient();
    raw = client.connect();
  }

  @AfterEach
  void disconnect() {
    raw.close();
    client.shutdown();
  }

  private Registry fleetRegistry(String yaml) {
    return Configuration.parse(yaml, "fleet.yaml")
        .buildRegistry(ConfigContext.builder().resource("redis", client).build());
  }

  @Test
  void configurationBuildsAFleetLimiterThatAnnotationsAndPipelinesUse() throws Exception {
    String yaml = """
        rateLimiters:
          quotes: { rate: 1/h burst 3, scope: fleet, instances: 2, aclPrefix: "app:" }
        """;
    try (Registry first = fleetRegistry(yaml); Registry second = fleetRegistry(yaml)) {
      RateLimiter limiter = first.get("quotes", RateLimiter.class);
      assertThat(limiter).isInstanceOf(DistributedRateLimiter.class);
      assertThat(limiter.config().rate()).isEqualTo(new Rate(1, Duration.ofHours(1), 3));

      Quotes quotes = Wrapper.wrap(Quotes.class, symbol -> symbol + "=42", first);
      assertThat(quotes.quote("ACME")).isEqualTo("ACME=42");                       // behind @RateLimited
      assertThat(Pipeline.of(limiter).call(() -> "piped")).isEqualTo("piped");      // in a pipeline
      assertThat(second.get("quotes", RateLimiter.class).tryAcquire()).isTrue();   // the other instance
      // Three permits spent across two instances: the shared bucket is empty for both.
      assertThatThrownBy(() -> quotes.quote("ACME")).isInstanceOf(RateLimitExceededException.class);
      assertThat(second.get("quotes", RateLimiter.class).tryAcquire()).isFalse();
      assertThat(((DistributedRateLimiter) limiter).isFallingBack()).isFalse();
      assertThat(raw.sync().exists("app:{ballast:limiter:quotes}")).isEqualTo(1L);
    }
  }

  @Test
  void aLimiterBuiltInCodeIsAPolicy() throws Exception {
    try (DistributedRateLimiter limiter = DistributedRateLimiter.builder().name("coded")
        .rate(Rate.of(1, Duration.ofHours(1))).redis(client).build()) {
      Policy policy = Pipeline.of(limiter);
      assertThat(policy.call(() -> 1)).isEqualTo(1);
      assertThatThrownBy(() -> policy.call(() -> 2)).isInstanceOf(RateLimitExceededException.class)
          .hasMessageContaining("RateLimiter 'coded' has no permit free");
      assertThat(limiter.callAsync(() -> java.util.concurrent.CompletableFuture.completedFuture(3)))
          .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(RateLimitExceededException.class);
    }
  }

  @Test
  void aFleetScopeWithoutARedisResourceOrAFleetKeyOnALocalLimiterIsRefusedAtItsLine() {
    assertThatThrownBy(() -> Configuration.parse("""
        rateLimiters:
          quotes:
            rate: 5/s
            scope: fleet
        """, "fleet.yaml").buildRegistry(ConfigContext.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("fleet.yaml:4: rateLimiters.quotes.scope:")
        .hasMessageContaining("needs a RedisClient or RedisClusterClient resource named 'redis'");
    assertThatThrownBy(() -> Configuration.parse("""
        rateLimiters:
          quotes:
            rate: 5/s
            instances: 3
        """, "fleet.yaml").buildRegistry(ConfigContext.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("fleet.yaml:4: rateLimiters.quotes.instances: applies only to scope: fleet");
  }

  @Test
  void theBuilderRefusesBadOptionsNamingThem() {
    // An unnamed fleet limiter is refused rather than named for this JVM: the name is the fleet's Redis key,
    // and a per-JVM default name would give each instance a bucket of its own (or all unnamed ones one).
    assertThatThrownBy(() -> DistributedRateLimiter.builder().rate(Rate.of(1, Duration.ofSeconds(1))).redis(client)
        .build()).hasMessageContaining("DistributedRateLimiter.name");
    assertThatThrownBy(() -> DistributedRateLimiter.builder().aclPrefix("}"))
        .hasMessageContaining("DistributedRateLimiter.aclPrefix");
    assertThatThrownBy(() -> DistributedRateLimiter.builder().instances(2).share(0.5))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("share");
    assertThatThrownBy(() -> DistributedRateLimiter.builder().name("x").redis(client).build())
        .isInstanceOf(NullPointerException.class).hasMessageContaining("DistributedRateLimiter.rate");
    // One permit a day is 8.64e13 scaled ns: a burst of 100 fits core (2^61) but not Lua's exact doubles (2^52).
    assertThatThrownBy(() -> DistributedRateLimiter.builder().name("x").redis(client)
        .rate(Rate.of(1, Duration.ofDays(1)).withBurst(100)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DistributedRateLimiter.rate burst");
  }
}
