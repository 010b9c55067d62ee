package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A caller interrupted while the switchboard waits for a frozen Redis stops waiting at once, keeps its
 * interrupt flag, and is not counted as a Redis failure; the flip still applies and reaches the fleet.
 */
class SwitchboardInterruptTest extends FleetTestSupport {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  /** Long, so that returning well before it proves the interrupt ended the wait. */
  private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  /** An interrupted wait ends within this; the test client's own command timeout is 2 s. */
  private static final Duration PROMPTLY = Duration.ofSeconds(1);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private RedisServer server;

  @AfterEach
  void resumeRedis() {
    if (server != null && server.isPaused()) {
      server.resume();
    }
    Thread.interrupted(); // never leak a flag into the next test
  }

  private Switchboard board(String instance, MeterRegistry meters) {
    SwitchboardBuilder b = Switchboard.builder().name(name).redis(ownClient()).instanceId(instance)
        .redisTimeout(REDIS_TIMEOUT).fleetTriggerLease(REDIS_TIMEOUT.multipliedBy(6)).manualSchedule();
    if (meters != null) {
      b.meterRegistry(meters);
    }
    Switchboard board = b.build();
    boards.add(board);
    return board;
  }

  private double redisErrors() {
    return registry.find("ballast.redis.errors").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void aFlipInterruptedWhileRedisIsFrozenReturnsAtOnceKeepsTheFlagAndIsNoRedisFailure(RedisServer server)
      throws Exception {
    this.server = server;
    Switchboard a = board("a", registry);
    Switchboard b = board("b", null);
    server.pause();

    AtomicBoolean flagAfter = new AtomicBoolean();
    AtomicLong returnedAt = new AtomicLong();
    Thread operator = new Thread(() -> {
      a.degrade(SwitchName.READ_ONLY, new Reason("alice", "interrupted while Redis is frozen"));
      returnedAt.set(System.nanoTime());
      flagAfter.set(Thread.currentThread().isInterrupted());
    }, "operator");
    operator.start();
    await().atMost(DEADLINE).until(() -> operator.getState() == Thread.State.TIMED_WAITING);
    long interruptedAt = System.nanoTime(); // measured from here: how long the test took to notice the wait is no part of it
    operator.interrupt();
    operator.join(DEADLINE.toMillis());

    assertThat(operator.isAlive()).isFalse();
    assertThat(Duration.ofNanos(returnedAt.get() - interruptedAt)).isLessThan(PROMPTLY);
    assertThat(flagAfter).isTrue();
    assertThat(a.isReadOnly()).isTrue(); // applied here, queued for Redis
    assertThat(redisErrors()).isZero();

    server.resume();
    await().atMost(DEADLINE).until(b::isReadOnly); // the flip was not lost
  }

  @Test
  void anInterruptedCallerOfRefreshDoesNotAskRedisAndIsNoRedisFailure(RedisServer server) {
    this.server = server;
    Switchboard a = board("a", registry);
    server.pause();
    Thread.currentThread().interrupt();
    long start = System.nanoTime();
    a.refresh();
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "interrupted before the call"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(Thread.interrupted()).isTrue(); // kept (and cleared here)
    assertThat(took).isLessThan(PROMPTLY);
    assertThat(a.isServingCached()).isTrue();
    assertThat(redisErrors()).isZero();
    assertThat(a.switches()).isNotEmpty();
  }

  @Test
  void aCallerWaitingForAnotherReReadStopsWhenInterrupted(RedisServer server) throws Exception {
    this.server = server;
    Switchboard a = board("a", registry);
    server.pause();
    Thread reading = new Thread(a::refresh, "re-read waiting for the frozen Redis");
    reading.start();
    await().atMost(DEADLINE).until(() -> reading.getState() == Thread.State.TIMED_WAITING);

    AtomicBoolean flagAfter = new AtomicBoolean();
    AtomicLong returnedAt = new AtomicLong();
    Thread waiting = new Thread(() -> {
      a.refresh(); // waits for the re-read in progress
      returnedAt.set(System.nanoTime());
      flagAfter.set(Thread.currentThread().isInterrupted());
    }, "second re-read");
    waiting.start();
    await().atMost(DEADLINE).until(() -> waiting.getState() != Thread.State.RUNNABLE
        && waiting.getState() != Thread.State.NEW);
    long interruptedAt = System.nanoTime();
    waiting.interrupt();
    waiting.join(DEADLINE.toMillis());
    assertThat(returnedAt.get()).as("returned").isNotZero();
    assertThat(Duration.ofNanos(returnedAt.get() - interruptedAt)).isLessThan(PROMPTLY);
    assertThat(flagAfter).isTrue();
    server.resume();
    reading.join(DEADLINE.toMillis());
    assertThat(reading.isAlive()).isFalse(); // the first re-read ends too, within its own bound
  }
}
