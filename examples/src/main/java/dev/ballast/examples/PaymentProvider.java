package dev.ballast.examples;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.RetryAfterHint;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A simulated third-party payment API: 20 ms per call, a quota of 200 calls per second (beyond it, a
 * 429 with Retry-After), and a failure ratio and extra latency that the demo changes per phase.
 */
final class PaymentProvider {

  /** The provider's 429: says when to come back. */
  static final class TooManyRequests extends RuntimeException implements RetryAfterHint {
    private static final long serialVersionUID = 1L;

    TooManyRequests() {
      super("429 Too Many Requests", null, false, false);
    }

    @Override
    public Duration retryAfter() {
      return Duration.ofMillis(50);
    }
  }

  /** The provider's 503 or a dropped connection. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  private final RateLimiter quota = RateLimiter.builder().name("provider-quota")
      .capacity(20).refill(200, Duration.ofSeconds(1)).build();
  private final LongAdder calls = new LongAdder();
  private volatile double failureRatio;
  private volatile long extraLatencyNanos;

  void conditions(double failureRatio, Duration extraLatency) {
    this.failureRatio = failureRatio;
    this.extraLatencyNanos = extraLatency.toNanos();
  }

  String charge(int order) {
    calls.increment();
    if (!quota.tryAcquire()) {
      throw new TooManyRequests();
    }
    LockSupport.parkNanos(Duration.ofMillis(20).toNanos() + extraLatencyNanos);
    if (ThreadLocalRandom.current().nextDouble() < failureRatio) {
      throw new Unavailable("503 from the provider");
    }
    return "receipt-" + order;
  }

  long callsAndReset() {
    return calls.sumThenReset();
  }
}
