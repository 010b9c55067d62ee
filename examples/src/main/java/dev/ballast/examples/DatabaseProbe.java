package dev.ballast.examples;

import dev.ballast.core.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How the fleet learns that the database is back while serve-cached spares it. While the breaker around
 * the database is not closed, this pings the database through the wrapped {@link Database} every
 * {@code every}: an open breaker refuses the ping without a query; once the breaker's open time is over,
 * the pings are its half-open probes, and a few that succeed close it. The switchboard's
 * {@code database-down} trigger watches that breaker, so the fleet leaves its degraded mode without
 * waiting for real traffic to risk a query. Costs nothing while the breaker is closed.
 */
final class DatabaseProbe implements AutoCloseable {

  private final ScheduledExecutorService timer;

  private DatabaseProbe(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  static DatabaseProbe start(String instance, Database database, CircuitBreaker breaker, Duration every) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "database-probe-" + instance);
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(() -> {
      if (breaker.state() != CircuitBreaker.State.CLOSED) {
        try {
          database.ping();
        } catch (RuntimeException stillDown) {
          // The breaker counted it (or refused it while open); the next ping tries again.
        }
      }
    }, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
    return new DatabaseProbe(timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
