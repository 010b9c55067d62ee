package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.Registry;
import dev.ballast.degradation.Switchboard;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The actuator endpoint {@code ballast} and the health contributor. */
class BallastActuatorTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
      .withPropertyValues("management.endpoints.web.exposure.include=ballast",
          "ballast.switchboard.name=storefront", "ballast.switchboard.features[0]=recommendations",
          "ballast.switchboard.modes.survival[0]=serve-cached", "ballast.switchboard.modes.survival[1]=read-only",
          "ballast.circuitBreakers.payments.minimumCalls=5");

  @Test
  @SuppressWarnings("unchecked")
  void readsShowTheSwitchboardAndBreakersAndAWriteFlipsASwitch() {
    runner.withPropertyValues("ballast.switchboard.redis=false").run(context -> {
      BallastEndpoint endpoint = context.getBean(BallastEndpoint.class);
      Map<String, Object> view = endpoint.ballast();
      assertThat((Map<String, Object>) view.get("circuitBreakers")).containsEntry("payments", "CLOSED");
      Map<String, Object> board = (Map<String, Object>) ((Map<String, Object>) view.get("switchboards"))
          .get("switchboard");
      assertThat((List<Map<String, Object>>) board.get("switches")).extracting(s -> s.get("name"))
          .contains("serve-cached", "read-only", "feature:recommendations");

      endpoint.flip("switchboard", "read-only", null, true, "alice", "database failover", null);
      Switchboard switchboard = context.getBean(Registry.class).get("switchboard", Switchboard.class);
      assertThat(switchboard.isReadOnly()).isTrue();
      Map<String, Object> readOnly = ((List<Map<String, Object>>) SwitchboardView.of(switchboard).get("switches"))
          .stream().filter(s -> s.get("name").equals("read-only")).findFirst().orElseThrow();
      assertThat(readOnly).containsEntry("who", "alice").containsEntry("why", "database failover");

      Health health = context.getBean("ballastHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP); // degraded is a detail, not DOWN
      assertThat(health.getDetails()).containsKey("degraded");

      endpoint.flip("switchboard", null, "survival", true, "bob", "drill", null);
      assertThat(switchboard.activeModes()).contains("survival");
      assertThat(switchboard.isServingCached()).isTrue();
      endpoint.flip("switchboard", null, "survival", false, "bob", "drill over", null);
      assertThat(switchboard.activeModes()).doesNotContain("survival");

      assertThatThrownBy(() -> endpoint.flip("nope", "read-only", null, true, "a", "b", null))
          .isInstanceOf(org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException.class)
          .hasMessageContaining("no switchboard named 'nope'");
    });
  }

  @Test
  void healthIsUpWithNothingDegraded() {
    runner.withPropertyValues("ballast.switchboard.redis=false").run(context -> {
      Health health = context.getBean("ballastHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).isEmpty();
    });
  }

  @Test
  void aFlipOnOneContextReachesTheOtherThroughRedis(RedisServer redis) {
    RedisClient client = RedisClient.create(redis.uri());
    try {
      ApplicationContextRunner shared = runner.withBean(RedisClient.class, () -> client)
          .withPropertyValues("ballast.switchboard.keyPrefix=actuator-test:");
      shared.run(a -> shared.run(b -> {
        a.getBean(BallastEndpoint.class).flip("switchboard", "feature:recommendations", null, true, "alice", "load", null);
        Switchboard other = b.getBean(Registry.class).get("switchboard", Switchboard.class);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !other.isFeatureEnabled("recommendations"));
      }));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void noEndpointUnlessExposedAndNoneWithoutTheActuator() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BallastEndpoint.class)
            .hasBean("ballastHealthIndicator"));
    runner.withPropertyValues("ballast.switchboard.redis=false")
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BallastEndpoint.class)
            .doesNotHaveBean("ballastHealthIndicator"));
  }
}
