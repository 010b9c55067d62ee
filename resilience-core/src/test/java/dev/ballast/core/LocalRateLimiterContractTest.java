package dev.ballast.core;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/** The contract for the local limiter, {@link RateLimiter} (one GCRA bucket in this JVM). */
class LocalRateLimiterContractTest extends RateLimiterContract {

  @Override
  protected Subject create(String name, Rate rate, Ticker ticker, Sleeper sleeper, MeterRegistry registry) {
    RateLimiter.Builder builder = RateLimiter.builder().name(name).rate(rate).ticker(ticker).sleeper(sleeper);
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    RateLimiter limiter = builder.build();
    return new Subject() {
      @Override
      public long tryAcquireOrNanosToWait(int permits) {
        return limiter.tryAcquireOrNanosToWait(permits);
      }

      @Override
      public long availablePermits() {
        return limiter.availablePermits();
      }

      @Override
      public boolean acquire(int permits, Duration timeout) throws InterruptedException {
        return limiter.acquire(permits, timeout);
      }
    };
  }
}
