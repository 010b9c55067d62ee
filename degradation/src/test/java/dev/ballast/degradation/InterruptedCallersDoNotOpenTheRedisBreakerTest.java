package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An interrupted caller is no Redis failure: threads interrupted while the switchboard
 * talks to Redis do not open its Redis breaker for everyone, and keep their interrupt flag.
 */
class InterruptedCallersDoNotOpenTheRedisBreakerTest extends FleetTestSupport {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private Switchboard board(String instance, SimpleMeterRegistry registry) {
    SwitchboardBuilder builder = Switchboard.builder().name(name).redis(client).instanceId(instance)
        .features("reviews").redisTimeout(Duration.ofSeconds(2)).manualSchedule();
    Switchboard board = (registry == null ? builder : builder.meterRegistry(registry)).build();
    boards.add(board);
    return board;
  }

  @Test
  void interruptedCallersDoNotOpenTheSwitchboardsRedisBreaker(RedisServer server) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Switchboard a = board("a", registry);
    Switchboard b = board("b", null);
    String component = "degradation:" + name;

    // Paused, so that no reply can beat the interrupt: every Redis call of these refreshes (each on the
    // caller's thread, under the manual schedule) is cut short by it. A flip would not do: after the first
    // failed write, later flips queue behind it without asking Redis.
    server.pause();
    try {
      for (int i = 0; i < 20; i++) {
        Thread.currentThread().interrupt();
        a.refresh();
        assertThat(Thread.interrupted()).as("the caller's interrupt flag is kept").isTrue();
      }
    } finally {
      Thread.interrupted();
      server.resume();
    }

    assertThat(registry.get("ballast.redis.up").tag("component", component).gauge().value())
        .as("no outage: Redis never failed").isEqualTo(1.0);
    Counter outages = registry.find("ballast.redis.outages").tag("component", component).counter();
    assertThat(outages == null ? 0 : outages.count()).isZero();

    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "after the interrupts"));
    b.refresh();
    await().atMost(DEADLINE).until(() -> {
      b.refresh();
      return b.isReadOnly();
    });
    assertThat(registry.get("ballast.redis.up").tag("component", component).gauge().value()).isEqualTo(1.0);
  }
}
