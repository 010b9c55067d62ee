package dev.ballast.benchmarks;

import dev.failsafe.RetryPolicy;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import java.time.Duration;

/**
 * The peers' policies, configured once and alike for every benchmark: 3 attempts with exponential
 * backoff from 1 s; breakers over a count window of 100 calls opening at 50 % failures.
 */
final class Peers {

  private Peers() {}

  static io.github.resilience4j.retry.Retry resilience4jRetry() {
    return io.github.resilience4j.retry.Retry.of("bench", io.github.resilience4j.retry.RetryConfig.custom()
        .maxAttempts(3)
        .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofSeconds(1), 2.0))
        .build());
  }

  static io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4jBreaker() {
    return io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench",
        io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom().slidingWindowSize(100).build());
  }

  static RetryPolicy<Object> failsafeRetry() {
    return RetryPolicy.builder().withMaxAttempts(3).withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(16)).build();
  }

  static dev.failsafe.CircuitBreaker<Object> failsafeBreaker() {
    return dev.failsafe.CircuitBreaker.builder().withFailureThreshold(50, 100).build();
  }

  /** Resilience4j's decorated suppliers throw Throwable; the adapter rethrows it unchecked. */
  static Operation operation(CheckedSupplier<Object> decorated) {
    return () -> {
      try {
        return decorated.get();
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    };
  }
}
