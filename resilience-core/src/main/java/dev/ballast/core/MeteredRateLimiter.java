package dev.ballast.core;

import dev.ballast.core.internal.RateLimiterMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link TokenBucketRateLimiter} that counts permits granted and refused. A separate class, so that
 * limiters built without a registry run no metric code at all. Tags are the limiter's name and the
 * result, never anything a caller supplies per call.
 */
final class MeteredRateLimiter extends TokenBucketRateLimiter {

  static final String PERMITS = RateLimiterMeters.PERMITS;
  static final String AVAILABLE = RateLimiterMeters.AVAILABLE;

  private final Counter granted;
  private final Counter refused;

  private MeteredRateLimiter(RateLimiterConfig config, Ticker ticker, Sleeper sleeper,
      ScheduledExecutorService scheduler, MeterRegistry registry) {
    super(config, ticker, sleeper, scheduler);
    this.granted = RateLimiterMeters.permits(registry, config.name(), "granted");
    this.refused = RateLimiterMeters.permits(registry, config.name(), "refused");
  }

  static MeteredRateLimiter create(RateLimiterConfig config, Ticker ticker, Sleeper sleeper,
      ScheduledExecutorService scheduler, MeterRegistry registry) {
    MeteredRateLimiter limiter = new MeteredRateLimiter(config, ticker, sleeper, scheduler, registry);
    // Micrometer holds the limiter weakly: the gauge goes quiet when the application drops it.
    Gauge.builder(AVAILABLE, limiter, RateLimiter::availablePermits)
        .description("Permits available now")
        .tag("name", config.name())
        .register(registry);
    return limiter;
  }

  @Override
  public long tryAcquireOrNanosToWait(int permits) {
    long result = super.tryAcquireOrNanosToWait(permits);
    (result == 0 ? granted : refused).increment(permits);
    return result;
  }

  @Override
  long reserve(int permits, long maxWaitNanos) {
    long result = super.reserve(permits, maxWaitNanos);
    if (result >= 0) {
      granted.increment(permits);
    } else if (-result > maxWaitNanos) {
      refused.increment(permits); // otherwise the caller waits and asks again: not an outcome yet
    }
    return result;
  }
}
