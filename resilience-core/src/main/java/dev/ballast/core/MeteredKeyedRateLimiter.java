package dev.ballast.core;

import dev.ballast.core.internal.RateLimiterMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * A {@link CaffeineKeyedRateLimiter} that counts permits granted and refused and reports how many keys
 * it holds. Tags are the limiter's name and the result only: a key never becomes a tag, as that would
 * give the registry one time series per tenant or user.
 */
final class MeteredKeyedRateLimiter<K> extends CaffeineKeyedRateLimiter<K> {

  static final String KEYS = RateLimiterMeters.KEYS;

  private final Counter granted;
  private final Counter refused;

  private MeteredKeyedRateLimiter(RateLimiterConfig config, long maximumKeys, Duration expireAfterAccess,
      Ticker ticker, MeterRegistry registry) {
    super(config, maximumKeys, expireAfterAccess, ticker);
    this.granted = RateLimiterMeters.permits(registry, config.name(), "granted");
    this.refused = RateLimiterMeters.permits(registry, config.name(), "refused");
  }

  static <K> MeteredKeyedRateLimiter<K> create(RateLimiterConfig config, long maximumKeys,
      Duration expireAfterAccess, Ticker ticker, MeterRegistry registry) {
    MeteredKeyedRateLimiter<K> limiter =
        new MeteredKeyedRateLimiter<>(config, maximumKeys, expireAfterAccess, ticker, registry);
    Gauge.builder(KEYS, limiter, KeyedRateLimiter::estimatedKeys)
        .description("Keys holding a bucket (estimate)")
        .tag("name", config.name())
        .register(registry);
    return limiter;
  }

  @Override
  public long tryAcquireOrNanosToWait(K key, int permits) {
    long result = super.tryAcquireOrNanosToWait(key, permits);
    (result == 0 ? granted : refused).increment(permits);
    return result;
  }
}
