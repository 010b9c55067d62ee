package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The contract for the keyed limiter, {@link KeyedRateLimiter}, driven through one key (and a test that
 * keys do not share buckets); it only answers now, so the waiting tests are skipped.
 */
class KeyedRateLimiterContractTest extends RateLimiterContract {

  @Override
  protected Subject create(String name, Rate rate, Ticker ticker, Sleeper sleeper, MeterRegistry registry) {
    KeyedRateLimiter.Builder builder = KeyedRateLimiter.builder().name(name).rate(rate).ticker(ticker);
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    KeyedRateLimiter<String> limiter = builder.build();
    return new Subject() {
      @Override
      public long tryAcquireOrNanosToWait(int permits) {
        return limiter.tryAcquireOrNanosToWait("key", permits);
      }

      @Override
      public long availablePermits() {
        return limiter.availablePermits("key");
      }

      @Override
      public boolean acquire(int permits, Duration timeout) {
        throw new UnsupportedOperationException("a keyed limiter only answers now");
      }
    };
  }

  @Override
  protected boolean waits() {
    return false;
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    KeyedRateLimiter<String> limiter = KeyedRateLimiter.builder().name("keys")
        .rate(Rate.of(1, Duration.ofHours(1)).withBurst(2)).ticker(() -> 0L).build();
    assertThat(limiter.tryAcquire("a", 2)).isTrue();
    assertThat(limiter.tryAcquire("a")).isFalse();
    assertThat(limiter.tryAcquire("b", 2)).isTrue();
    assertThat(limiter.tryAcquireOrNanosToWait("b", 1)).isEqualTo(Duration.ofHours(1).toNanos());
  }
}
