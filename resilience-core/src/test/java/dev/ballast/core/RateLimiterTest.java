package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** The primitive: grants, refusals and their exact encoding, and the clock's edge cases. */
class RateLimiterTest {

  private static final long MS = 1_000_000;

  private final ManualTicker now = new ManualTicker();

  private RateLimiter tenPerSecond() {
    return RateLimiter.builder().name("api").capacity(10).refill(10, Duration.ofSeconds(1)).ticker(now::read).build();
  }

  @Test
  void tenGrantsCountDownThenTheNextWaitsExactlyOneHundredMillis() {
    RateLimiter limiter = tenPerSecond();
    for (long remaining = 9; remaining >= 0; remaining--) {
      assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero();
      assertThat(limiter.availablePermits()).isEqualTo(remaining);
    }
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(100 * MS);
    assertThat(limiter.tryAcquire(1)).isFalse();
    assertThat(limiter.availablePermits()).isZero();
  }

  @Test
  void aPermitIsBackExactlyWhenTheWaitSaysAndNotOneNanosecondEarlier() {
    RateLimiter limiter = tenPerSecond();
    assertThat(limiter.tryAcquireOrNanosToWait(10)).isZero();
    now.advanceNanos(100 * MS - 1);
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(1);
    now.advanceNanos(1);
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero();
  }

  @Test
  void severalPermitsAtOnceWaitForAllOfThem() {
    RateLimiter limiter = tenPerSecond();
    assertThat(limiter.tryAcquire(7)).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(3);
    assertThat(limiter.tryAcquireOrNanosToWait(5)).isEqualTo(200 * MS);
    assertThat(limiter.tryAcquireOrNanosToWait(3)).isZero();
  }

  @Test
  void theBucketRefillsContinuouslyAndNeverBeyondCapacity() {
    RateLimiter limiter = tenPerSecond();
    limiter.tryAcquire(10);
    now.advanceNanos(350 * MS);
    assertThat(limiter.availablePermits()).isEqualTo(3);
    now.advance(Duration.ofHours(5));
    assertThat(limiter.availablePermits()).isEqualTo(10);
    assertThat(limiter.tryAcquire(1)).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(9);
  }

  @Test
  void initialPermitsStartTheBucketPartlyFull() {
    RateLimiter limiter = RateLimiter.builder()
        .capacity(10).refill(10, Duration.ofSeconds(1)).initialPermits(2).ticker(now::read).build();
    assertThat(limiter.availablePermits()).isEqualTo(2);
    assertThat(limiter.tryAcquireOrNanosToWait(2)).isZero();
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(100 * MS);

    RateLimiter empty = RateLimiter.builder()
        .capacity(5).refill(1, Duration.ofSeconds(1)).initialPermits(0).ticker(now::read).build();
    assertThat(empty.tryAcquireOrNanosToWait(1)).isEqualTo(1000 * MS);
  }

  @Test
  void theConvenienceTryAcquireTakesOnePermit() {
    RateLimiter limiter = RateLimiter.builder().capacity(2).ticker(now::read).build();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void permitsBeyondTheCapacityCanNeverBeGrantedAndAreRejectedAsBadInput() {
    RateLimiter limiter = tenPerSecond();
    assertThatThrownBy(() -> limiter.tryAcquire(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("permits").hasMessageContaining("capacity 10").hasMessageContaining("11");
    assertThatThrownBy(() -> limiter.tryAcquire(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permits must be at least 1");
    assertThatThrownBy(() -> limiter.tryAcquire(-3)).isInstanceOf(IllegalArgumentException.class);
    assertThat(limiter.availablePermits()).isEqualTo(10);
  }

  @Test
  void aRateWithALargePrimeFactorIsClampedConservativelyWithinOnePartPerMillion() {
    // 7919 per second cannot be represented with scale <= 1024: the cost per permit is rounded up.
    RateLimiter limiter = RateLimiter.builder()
        .capacity(10_000_000).refill(7919, Duration.ofSeconds(1)).ticker(now::read).build();
    assertThat(limiter.tryAcquireOrNanosToWait(10_000_000)).isZero();
    now.advance(Duration.ofSeconds(1000));
    long exact = 7_919_000;
    long available = limiter.availablePermits();
    assertThat(available).isLessThanOrEqualTo(exact);
    // The documented bound: short by less than rate / (1024 × 1e9 per second) relative, here < 8 ppb.
    assertThat(exact - available).isLessThanOrEqualTo((long) Math.ceil(exact * 7.8e-9));
  }

  @Test
  void aBucketIdleLongerThanHalfTheScaledClockRangeIsFull() {
    // Scale 1024 (a clamped rate): scaled time wraps every 2^64 / 1024 ns, about 208 days.
    RateLimiter limiter = RateLimiter.builder()
        .capacity(3).refill(7919, Duration.ofSeconds(1)).ticker(now::read).build();
    limiter.tryAcquire(3);
    now.advance(Duration.ofDays(150));
    assertThat(limiter.availablePermits()).isEqualTo(3);
    assertThat(limiter.tryAcquireOrNanosToWait(3)).isZero();
  }

  @Test
  void theTickerMayWrapAroundLikeNanoTime() {
    now.set(Long.MAX_VALUE - 50 * MS);
    RateLimiter limiter = tenPerSecond();
    assertThat(limiter.tryAcquireOrNanosToWait(10)).isZero();
    now.advanceNanos(100 * MS); // past Long.MAX_VALUE
    assertThat(now.read()).isNegative();
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero();
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(100 * MS);
  }

  @Test
  void aStaleReadingIsRefusedRatherThanMistakenForALongIdleBucket() {
    // Readings that arrive out of order, as when a thread stalls between reading the clock and its
    // compare-and-set while another thread drains the bucket.
    RateLimiter limiter = RateLimiter.builder()
        .capacity(1).refill(1, Duration.ofSeconds(1)).ticker(now::read).build();
    now.set(Duration.ofSeconds(10).toNanos());
    assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero(); // the bucket is full again at 11 s
    now.set(Duration.ofSeconds(5).toNanos()); // 6 s behind that: far more than the 1 s burst
    assertThat(limiter.tryAcquire(1)).isFalse();
  }

  @Test
  void nameConfigAndToStringDescribeTheLimiter() {
    RateLimiter limiter = tenPerSecond();
    assertThat(limiter.name()).isEqualTo("api");
    assertThat(limiter.config().capacity()).isEqualTo(10);
    assertThat(limiter.toString()).contains("api").contains("10");
  }
}
