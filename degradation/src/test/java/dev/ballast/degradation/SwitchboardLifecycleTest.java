package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisExtension;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who runs a fleet switchboard's work: two threads of its own from {@code BallastThreads} (named, daemon,
 * gone after close), or the application's scheduler (no thread of the board's; close cancels the board's
 * tasks and leaves the scheduler running).
 */
@ExtendWith(RedisExtension.class)
class SwitchboardLifecycleTest extends FleetTestSupport {

  private SwitchboardBuilder fleetBoard() {
    AtomicReference<Double> signal = new AtomicReference<>(0.0);
    return Switchboard.builder().name(name).redis(client).redisTimeout(Duration.ofMillis(300))
        .trigger(Trigger.builder("busy").signal(Signal.of("v", signal::get)).enterAt(5).exitAt(1)
            .minDwell(Duration.ZERO).degrade(SwitchName.SERVE_CACHED).scope(Trigger.Scope.FLEET).build());
  }

  private static Set<Thread> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix))
        .collect(Collectors.toSet());
  }

  @Test
  void itsOwnThreadsAreNamedDaemonsStartedByBuildAndStoppedByClose() {
    SwitchboardBuilder builder = fleetBoard();
    assertThat(threadsNamed("ballast-degradation-" + name)).as("before build()").isEmpty();
    Switchboard board = builder.build();
    try {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsNamed("ballast-degradation-" + name))
          .extracting(Thread::getName)
          .containsExactlyInAnyOrder("ballast-degradation-" + name, "ballast-degradation-" + name + "-leases"));
      assertThat(threadsNamed("ballast-degradation-" + name)).allMatch(Thread::isDaemon);
    } finally {
      board.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("ballast-degradation-" + name).isEmpty());
  }

  @Test
  void anApplicationSchedulerRunsTheWorkAndOutlivesTheBoard() {
    ScheduledThreadPoolExecutor app = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(2);
    try {
      Switchboard board = fleetBoard().scheduler(app).evaluateEvery(Duration.ofMillis(50)).build();
      Switchboard other = Switchboard.builder().name(name).redis(ownClient()).scheduler(app).build();
      boards.add(other);
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> app.getCompletedTaskCount() > 0);
        assertThat(threadsNamed("ballast-degradation-" + name)).isEmpty();
        board.degrade(SwitchName.READ_ONLY, new Reason("alice", "on the app's scheduler"));
        await().atMost(Duration.ofSeconds(10)).until(other::isReadOnly);
      } finally {
        board.close();
        other.close();
      }
      assertThat(app.isShutdown()).isFalse();
      assertThat(app.getQueue()).allMatch(task -> ((Future<?>) task).isCancelled());
    } finally {
      app.shutdownNow();
    }
  }
}
