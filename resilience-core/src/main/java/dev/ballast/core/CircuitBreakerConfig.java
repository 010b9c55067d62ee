package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link CircuitBreaker}, validated once when created. Usually made through
 * {@link CircuitBreaker#builder()}, which fills in the defaults given below.
 *
 * @param name names the breaker in messages, logs and metric tags
 * @param windowType whether the window holds the last {@code windowSize} calls or the last
 *     {@code windowDuration} of calls
 * @param windowSize {@link WindowType#COUNT}: how many calls the window holds (default 100);
 *     {@link WindowType#TIME}: how many buckets {@code windowDuration} is split into (the window slides
 *     one bucket at a time)
 * @param windowDuration {@link WindowType#TIME}: how far back the window reaches; {@code null} for a
 *     {@link WindowType#COUNT} window, which has no duration
 * @param failureRateThreshold the breaker opens when failed calls / calls reaches this, in (0, 1];
 *     default 0.5
 * @param slowCallRateThreshold the breaker opens when slow calls / calls reaches this, in (0, 1];
 *     default 1.0, which switches slow-call tripping off (slow calls are still counted)
 * @param slowCallDuration a call that takes at least this long is slow; default 60 s
 * @param minimumCalls the window must hold at least this many calls before it is judged (at least 1,
 *     default 20; a count window of fewer calls is judged once full)
 * @param openDuration how long the breaker stays open before it lets probes through; default 30 s
 * @param halfOpenProbes how many calls the half-open breaker lets through; default 5
 * @param maxHalfOpenDuration how long a half-open breaker whose probes are all out waits for them to
 *     report, counted from the last probe it let through; after that the first call refused opens the
 *     breaker again for a new {@code openDuration}, and the missing probes' late results are ignored
 *     (for calls made through {@code call} / {@code callAsync}, see {@link CircuitBreaker}).
 *     Default 60 s; {@code null} waits forever (as Resilience4j's
 *     {@code maxWaitDurationInHalfOpenState} does by default); zero is refused. Set it above the slowest call the
 *     dependency may legitimately take, or a breaker that only sees such calls can never close.
 * @param recordFailure which exceptions count as failures (the others count as successes); default all
 * @param ignoredExceptions exceptions (and their subclasses) that count as neither success nor failure;
 *     default none. Checked before {@code recordFailure}. A {@link CallRejectedException} from an inner
 *     policy (say, a rate limiter inside the breaker) is always ignored: that call never reached the
 *     dependency.
 */
public record CircuitBreakerConfig(
    String name,
    WindowType windowType,
    int windowSize,
    @Nullable Duration windowDuration,
    double failureRateThreshold,
    double slowCallRateThreshold,
    Duration slowCallDuration,
    int minimumCalls,
    Duration openDuration,
    int halfOpenProbes,
    @Nullable Duration maxHalfOpenDuration,
    Predicate<Throwable> recordFailure,
    Set<Class<? extends Throwable>> ignoredExceptions) {

  /** What a breaker's sliding window holds. */
  public enum WindowType {
    /** The outcomes of the last {@code windowSize} calls. */
    COUNT,
    /** The outcomes of the calls that ended in the last {@code windowDuration}. */
    TIME
  }

  /**
   * Validates every field.
   *
   * @throws NullPointerException if a field is null (the message names it)
   * @throws IllegalArgumentException if a value is out of range (the message names the field)
   */
  public CircuitBreakerConfig {
    String p = "CircuitBreaker.";
    Check.notBlank(name, p + "name");
    Check.notNull(windowType, p + "windowType");
    Check.atLeast(windowSize, 1, p + "windowSize");
    if (windowType == WindowType.COUNT && windowDuration != null) {
      throw new IllegalArgumentException(
          p + "windowDuration must be null for a COUNT window, was " + windowDuration);
    }
    if (windowType == WindowType.TIME) {
      Check.notNull(windowDuration, p + "windowDuration");
      Check.positive(windowDuration, p + "windowDuration");
      // Each bucket must span at least one nanosecond.
      Check.atMost(windowSize, Check.saturatedNanos(windowDuration), p + "windowSize");
    }
    Check.ratio(failureRateThreshold, p + "failureRateThreshold");
    Check.ratio(slowCallRateThreshold, p + "slowCallRateThreshold");
    Check.positive(slowCallDuration, p + "slowCallDuration");
    Check.atLeast(minimumCalls, 1, p + "minimumCalls");
    Check.positive(openDuration, p + "openDuration");
    Check.atLeast(halfOpenProbes, 1, p + "halfOpenProbes");
    if (maxHalfOpenDuration != null) {
      Check.positive(maxHalfOpenDuration, p + "maxHalfOpenDuration");
    }
    Check.notNull(recordFailure, p + "recordFailure");
    Check.notNull(ignoredExceptions, p + "ignoredExceptions");
    for (Class<? extends Throwable> type : ignoredExceptions) {
      Check.notNull(type, p + "ignoredExceptions[]");
    }
    ignoredExceptions = Set.copyOf(ignoredExceptions);
  }

  /** Whether slow calls can open the breaker (a threshold of 1.0 means they cannot). */
  public boolean slowCallTrippingEnabled() {
    return slowCallRateThreshold < 1.0;
  }
}
