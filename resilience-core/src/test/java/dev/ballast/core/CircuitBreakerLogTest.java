package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.LogCapture;
import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a breaker writes to the log: an opening at WARN, half-open and closed at INFO, and a flapping
 * breaker at most one WARN per 10 s, the next one counting the openings not logged.
 */
class CircuitBreakerLogTest {

  private static final AtomicInteger names = new AtomicInteger();
  private final ManualTicker now = new ManualTicker();
  private final RuntimeException boom = new IllegalStateException("boom");
  private final String name = "logged" + names.incrementAndGet();
  private final CircuitBreaker breaker = CircuitBreaker.builder().name(name).ticker(now::read)
      .countWindow(2).minimumCalls(2).openDuration(Duration.ofSeconds(1)).halfOpenProbes(1).build();

  @Test
  void openingIsAWarningHalfOpenAndClosedAreInfo() {
    try (LogCapture log = new LogCapture()) {
      breaker.onError(0, boom);
      breaker.onError(0, boom);
      now.advance(Duration.ofSeconds(1));
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onSuccess(0);

      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(log.lines("WARN", "'" + name + "'", "CLOSED -> OPEN")).hasSize(1);
      assertThat(log.lines("INFO", "'" + name + "'", "OPEN -> HALF_OPEN")).hasSize(1);
      assertThat(log.lines("INFO", "'" + name + "'", "HALF_OPEN -> CLOSED")).hasSize(1);
      assertThat(log.lines("'" + name + "'")).hasSize(3);
    }
  }

  @Test
  void aFlappingBreakerLogsOneWarningPerTenSecondsWithTheCountOfTheOthers() {
    try (LogCapture log = new LogCapture()) {
      breaker.onError(0, boom);
      breaker.onError(0, boom); // opens: logged
      for (int i = 0; i < 5; i++) { // five times: half-open after a second, the probe fails, open again
        now.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquirePermission()).isTrue();
        breaker.onError(0, boom);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      }
      assertThat(log.lines("WARN", "'" + name + "'")).as("one warning within 10 s").hasSize(1);
      assertThat(log.lines("'" + name + "'")).as("the flapping stays out of the log").hasSize(2);

      now.advance(Duration.ofSeconds(5)); // 10 s after the first warning
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onError(0, boom);

      assertThat(log.lines("WARN", "'" + name + "'")).hasSize(2);
      assertThat(log.lines("WARN", "'" + name + "'").get(1)).contains("HALF_OPEN -> OPEN")
          .contains("5 more openings not logged");
    }
  }

  @Test
  void breakersAreLimitedEachOnItsOwn() {
    CircuitBreaker other = CircuitBreaker.builder().name(name + "-other").ticker(now::read)
        .countWindow(2).minimumCalls(2).openDuration(Duration.ofSeconds(1)).halfOpenProbes(1).build();
    try (LogCapture log = new LogCapture()) {
      breaker.onError(0, boom);
      breaker.onError(0, boom);
      other.onError(0, boom);
      other.onError(0, boom);
      assertThat(log.lines("WARN", "CLOSED -> OPEN", "'" + name + "'")).hasSize(1);
      assertThat(log.lines("WARN", "CLOSED -> OPEN", "'" + name + "-other'")).hasSize(1);
    }
  }

  @Test
  void anOperatorsForceOpenIsAlwaysLogged() {
    try (LogCapture log = new LogCapture()) {
      breaker.onError(0, boom);
      breaker.onError(0, boom);
      breaker.forceOpen();
      breaker.reset();
      breaker.forceOpen();
      assertThat(log.lines("WARN", "'" + name + "'", "-> FORCED_OPEN")).hasSize(2);
    }
  }
}
