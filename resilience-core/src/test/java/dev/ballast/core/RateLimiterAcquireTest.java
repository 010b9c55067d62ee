package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Blocking acquisition: waits through the injected sleeper, reserves fairly, honours the timeout. */
class RateLimiterAcquireTest {

  private static final long MS = 1_000_000;

  private final ManualTicker now = new ManualTicker();
  private final List<Long> sleeps = new ArrayList<>();
  /** Sleeps by moving the manual clock. */
  private final Sleeper advancing = nanos -> {
    sleeps.add(nanos);
    now.advanceNanos(nanos);
  };
  /** Records the sleeps but lets no time pass: callers pile up as if they arrived together. */
  private final Sleeper frozen = sleeps::add;

  private RateLimiter tenPerSecond(Sleeper sleeper) {
    return RateLimiter.builder()
        .name("acq").capacity(10).refill(10, Duration.ofSeconds(1)).ticker(now::read).sleeper(sleeper).build();
  }

  @Test
  void availablePermitsAreTakenWithoutSleeping() throws InterruptedException {
    RateLimiter limiter = tenPerSecond(advancing);
    assertThat(limiter.acquire(10, Duration.ZERO)).isTrue();
    assertThat(sleeps).isEmpty();
  }

  @Test
  void waitsExactlyUntilThePermitsAreThere() throws InterruptedException {
    RateLimiter limiter = tenPerSecond(advancing);
    limiter.tryAcquire(10);
    assertThat(limiter.acquire(3, Duration.ofSeconds(1))).isTrue();
    assertThat(sleeps).containsExactly(300 * MS);
    assertThat(now.read()).isEqualTo(300 * MS);
    assertThat(limiter.availablePermits()).isZero();
  }

  @Test
  void refusesAtOnceAndTakesNothingWhenTheWaitExceedsTheTimeout() throws InterruptedException {
    RateLimiter limiter = tenPerSecond(advancing);
    limiter.tryAcquire(10);
    assertThat(limiter.acquire(1, Duration.ofMillis(99))).isFalse();
    assertThat(sleeps).isEmpty();
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(100 * MS); // nothing was reserved
    assertThat(limiter.acquire(1, Duration.ofMillis(100))).isTrue();
  }

  @Test
  void reservationsAreServedInArrivalOrder() throws InterruptedException {
    RateLimiter limiter = tenPerSecond(frozen);
    limiter.tryAcquire(10);
    assertThat(limiter.acquire(1, Duration.ofSeconds(1))).isTrue();
    assertThat(limiter.acquire(2, Duration.ofSeconds(1))).isTrue();
    assertThat(limiter.acquire(1, Duration.ofSeconds(1))).isTrue();
    // Each caller queues behind the permits reserved before it.
    assertThat(sleeps).containsExactly(100 * MS, 300 * MS, 400 * MS);
    // A newcomer cannot jump the queue: neither the primitive nor a short timeout gets a permit.
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(500 * MS);
    assertThat(limiter.acquire(1, Duration.ofMillis(499))).isFalse();
  }

  @Test
  void aWaitBeyondTheReservationHorizonIsSpentFirstThenReserved() throws InterruptedException {
    RateLimiter limiter = RateLimiter.builder()
        .capacity(1).refill(1, Duration.ofHours(1)).ticker(now::read).sleeper(advancing).build();
    limiter.tryAcquire(1);
    assertThat(limiter.acquire(1, Duration.ofMinutes(59))).isFalse();
    assertThat(sleeps).isEmpty();
    assertThat(limiter.acquire(1, Duration.ofHours(2))).isTrue();
    assertThat(sleeps.stream().mapToLong(Long::longValue).sum()).isEqualTo(Duration.ofHours(1).toNanos());
    assertThat(limiter.availablePermits()).isZero();
  }

  @Test
  void aSleeperThatReturnsEarlyCannotMakeTheWaitLoopForever() throws InterruptedException {
    RateLimiter limiter = RateLimiter.builder()
        .capacity(1).refill(1, Duration.ofHours(1)).ticker(now::read).sleeper(frozen).build();
    limiter.tryAcquire(1);
    // The frozen clock never reaches the permit; the budget still runs out.
    assertThat(limiter.acquire(1, Duration.ofHours(2))).isFalse();
  }

  @Test
  void interruptionWhileWaitingPropagates() {
    RateLimiter limiter = tenPerSecond(nanos -> {
      throw new InterruptedException("stop");
    });
    limiter.tryAcquire(10);
    assertThatThrownBy(() -> limiter.acquire(1, Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
  }

  @Test
  void badArgumentsAreRejected() {
    RateLimiter limiter = tenPerSecond(advancing);
    assertThatThrownBy(() -> limiter.acquire(11, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permits").hasMessageContaining("capacity");
    assertThatThrownBy(() -> limiter.acquire(1, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> limiter.acquire(1, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
  }
}
