package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A {@link CircuitBreakerConfig} turned into the primitives the hot path compares against, plus the two
 * judgements every state shares: how a call ended, and whether a set of counts opens the breaker.
 * Immutable.
 */
final class BreakerRules {

  final long slowNanos;
  final long openNanos;
  final int halfOpenProbes;
  /** {@code maxHalfOpenDuration} in nanos; 0 = wait for the probes forever. */
  final long maxHalfOpenNanos;
  /** {@code minimumCalls}, capped at the window size for a count window (a full window is judged). */
  final int minimumCalls;
  private final double failureThreshold;
  private final double slowThreshold;
  private final boolean slowTrips;
  private final Predicate<Throwable> recordFailure;
  private final Class<?>[] ignored;

  BreakerRules(CircuitBreakerConfig config) {
    this.slowNanos = Check.saturatedNanos(config.slowCallDuration());
    this.openNanos = Check.saturatedNanos(config.openDuration());
    this.halfOpenProbes = config.halfOpenProbes();
    this.maxHalfOpenNanos =
        config.maxHalfOpenDuration() == null ? 0 : Check.saturatedNanos(config.maxHalfOpenDuration());
    this.minimumCalls = config.windowType() == CircuitBreakerConfig.WindowType.COUNT
        ? Math.min(config.minimumCalls(), config.windowSize())
        : config.minimumCalls();
    this.failureThreshold = config.failureRateThreshold();
    this.slowThreshold = config.slowCallRateThreshold();
    this.slowTrips = config.slowCallTrippingEnabled();
    this.recordFailure = config.recordFailure();
    this.ignored = config.ignoredExceptions().toArray(new Class<?>[0]);
  }

  /** The outcome of a call that returned normally after {@code durationNanos}. */
  int success(long durationNanos) {
    return durationNanos >= slowNanos ? BreakerOutcome.SLOW_SUCCESS : BreakerOutcome.SUCCESS;
  }

  /** The outcome of a call that threw {@code error} after {@code durationNanos}; may be IGNORED. */
  int failure(long durationNanos, Throwable error) {
    if (error instanceof CallRejectedException) {
      // An inner policy (a rate limiter, another breaker) refused the call: it never reached the
      // dependency, so it says nothing about the dependency's health.
      return BreakerOutcome.IGNORED;
    }
    for (Class<?> type : ignored) {
      if (type.isInstance(error)) {
        return BreakerOutcome.IGNORED;
      }
    }
    return BreakerOutcome.of(recordFailure.test(error), durationNanos >= slowNanos);
  }

  /**
   * Why {@code counts} opens the breaker, or null if they do not. Counts below {@code minimumCalls} never
   * open it; the caller passes 1 as the minimum when judging a finished set of probes.
   */
  String tripReason(CircuitBreaker.Snapshot counts, int minimum) {
    int calls = counts.bufferedCalls();
    if (calls < minimum || calls == 0) {
      return null;
    }
    if (counts.failureRate() >= failureThreshold) {
      return describe("failure", counts.failureRate(), failureThreshold, calls);
    }
    if (slowTrips && counts.slowCallRate() >= slowThreshold) {
      return describe("slow call", counts.slowCallRate(), slowThreshold, calls);
    }
    return null;
  }

  private static String describe(String what, double rate, double threshold, int calls) {
    return String.format(Locale.ROOT, "%s rate %.1f%% >= %.1f%% over %d calls",
        what, rate * 100, threshold * 100, calls);
  }
}
