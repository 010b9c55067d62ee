package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualTickerTest {

  @Test
  void movesOnlyWhenMoved() {
    ManualTicker clock = new ManualTicker(5);
    assertThat(clock.read()).isEqualTo(5);
    assertThat(clock.advance(Duration.ofMillis(2))).isEqualTo(2_000_005);
    assertThat(clock.advanceNanos(-5)).isEqualTo(2_000_000);
    clock.set(-1);
    assertThat(clock.read()).isEqualTo(-1).isEqualTo(clock.getAsLong());
  }

  @Test
  void sleepingAdvancesTheClockAndIsCounted() {
    ManualTicker clock = new ManualTicker();
    clock.sleep(300);
    clock.sleep(700);
    assertThat(clock.read()).isEqualTo(1_000);
    assertThat(clock.sleptNanos()).isEqualTo(1_000);
    assertThatThrownBy(() -> clock.sleep(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nanos");
  }

  @Test
  void refusesANegativeDurationAndWrapsLikeNanoTime() {
    ManualTicker clock = new ManualTicker(Long.MAX_VALUE);
    assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set(long)");
    assertThat(clock.advanceNanos(1)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void concurrentAdvancesAreNeverLost() throws Exception {
    ManualTicker clock = new ManualTicker();
    int threads = 4;
    int steps = 10_000;
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < steps; i++) {
            clock.advanceNanos(1);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      });
      thread.start();
      started.add(thread);
    }
    start.countDown();
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(clock.read()).isEqualTo((long) threads * steps);
  }
}
