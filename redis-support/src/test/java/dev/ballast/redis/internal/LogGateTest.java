package dev.ballast.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LogGateTest {

  private static final long MINUTE = Duration.ofMinutes(1).toNanos();

  /** Events at times given by their gaps (ms): lines are a minute apart, open when allowed, and count all. */
  @Property(tries = 300)
  void linesAreAMinuteApartOpenWheneverAllowedAndAccountForEveryEvent(
      @ForAll @Size(min = 1, max = 200) List<@LongRange(min = 0, max = 90_000) Long> gapsMs) {
    ManualTicker now = new ManualTicker(-5 * MINUTE); // any origin, negative included
    LogGate gate = new LogGate(now::read, Duration.ofMinutes(1));
    long lastLine = Long.MIN_VALUE;
    long reported = 0;
    int events = 0;
    for (long gap : gapsMs) {
      long t = now.advance(Duration.ofMillis(gap));
      events++;
      long count = gate.pass();
      boolean allowed = lastLine == Long.MIN_VALUE || t - lastLine >= MINUTE;
      assertThat(count > 0).as("a line exactly when a minute has passed since the last one").isEqualTo(allowed);
      if (count > 0) {
        reported += count;
        assertThat(reported).as("a line counts this event and every one left out before it").isEqualTo(events);
        lastLine = t;
      }
    }
    assertThat(reported).isLessThanOrEqualTo(events);
  }

  @Test
  void underConcurrentEventsOneThreadLogsAndNoEventIsCountedTwiceOrLost() throws Exception {
    ManualTicker now = new ManualTicker();
    LogGate gate = new LogGate(now::read, Duration.ofMinutes(1));
    int threads = 4;
    int perThread = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<long[]>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          long lines = 0;
          long counted = 0;
          for (int j = 0; j < perThread; j++) {
            long count = gate.pass();
            lines += count > 0 ? 1 : 0;
            counted += count;
          }
          return new long[] {lines, counted};
        }));
      }
      start.countDown();
      long lines = 0;
      long counted = 0;
      for (Future<long[]> result : results) {
        long[] r = result.get(60, TimeUnit.SECONDS);
        lines += r[0];
        counted += r[1];
      }
      assertThat(lines).as("the clock stood still: one line").isEqualTo(1);
      now.advanceNanos(MINUTE);
      counted += gate.pass();
      assertThat(counted).as("every event in exactly one line").isEqualTo((long) threads * perThread + 1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theIntervalMustBePositive() {
    assertThatIllegalArgumentException().isThrownBy(() -> new LogGate(() -> 0L, Duration.ZERO))
        .withMessageContaining("LogGate.interval");
  }
}
