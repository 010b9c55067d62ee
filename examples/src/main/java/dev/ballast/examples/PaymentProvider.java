package dev.ballast.examples;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.RetryAfterHint;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A simulated third-party payment API: about 30 ms per call and a quota of 40 calls a second (a burst of
 * 40); beyond it, a 429 with Retry-After. The quota is the vendor's own bucket (core's token bucket is a
 * convenient simulation of it), not part of the storefront's Ballast wiring.
 */
final class PaymentProvider implements Payments {

  /** The vendor's quota, calls per second. */
  static final int QUOTA_PER_SECOND = 40;

  /** The vendor's 429: says when to come back. */
  static final class TooManyRequests extends RuntimeException implements RetryAfterHint {
    private static final long serialVersionUID = 1L;

    TooManyRequests() {
      super("429 Too Many Requests (Retry-After: 0.1 s)", null, false, false);
    }

    @Override
    public Duration retryAfter() {
      return Duration.ofMillis(100);
    }
  }

  private final RateLimiter quota = RateLimiter.builder().name("vendor-quota")
      .capacity(QUOTA_PER_SECOND).refill(QUOTA_PER_SECOND, Duration.ofSeconds(1)).build();

  @Override
  public String charge(String orderId, long amountCents) {
    if (!quota.tryAcquire()) {
      throw new TooManyRequests();
    }
    try {
      TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(20_000, 40_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // our caller's timeout gave up on us
      throw new IllegalStateException("payment call interrupted", e);
    }
    return "pay-" + orderId;
  }
}
