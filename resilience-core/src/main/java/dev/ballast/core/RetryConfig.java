package dev.ballast.core;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.Check;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The immutable settings of a {@link Retry}; build one with {@link Retry#builder()}.
 *
 * @param name names the retry in metrics and logs
 * @param maxAttempts attempts in all, the first included (at least 1; 1 means no retry)
 * @param maxDuration no retry starts when it would begin later than this after the first attempt began;
 *     {@code null} for no deadline
 * @param backoff the delay before each retry
 * @param retryOn which exceptions are worth another attempt
 * @param retryOnResult which results are worth another attempt (say, an empty page); {@code null} for none
 * @param retryAfter extracts a server's hint of when to try again from an exception, or returns null;
 *     the retry then waits at least the hint (and at least the backoff delay); a hint longer than the
 *     backoff's maximum delay ends the retries (a breaker forced open, a quota that resets in an hour).
 *     An {@link InterruptedException} is never retried
 * @param budget caps retries at a share of recent calls; {@code null} for no cap
 */
public record RetryConfig(
    String name,
    int maxAttempts,
    @Nullable Duration maxDuration,
    Backoff backoff,
    Predicate<? super Throwable> retryOn,
    @Nullable Predicate<Object> retryOnResult,
    Function<? super Throwable, @Nullable Duration> retryAfter,
    @Nullable RetryBudget budget) {

  /** Validates every field; messages name the field. */
  public RetryConfig {
    Check.notBlank(name, "Retry.name");
    Check.atLeast(maxAttempts, 1, "Retry.maxAttempts");
    if (maxDuration != null) {
      Check.positive(maxDuration, "Retry.maxDuration");
    }
    Check.notNull(backoff, "Retry.backoff");
    Check.notNull(retryOn, "Retry.retryOn");
    Check.notNull(retryAfter, "Retry.retryAfter");
  }

  /**
   * Returns a builder holding these settings, each of which may be overridden once. Time source,
   * sleeper, scheduler and meter registry are not part of the config and start at their defaults.
   */
  public Retry.Builder toBuilder() {
    return Retry.Builder.from(this);
  }

  /** The default hint extractor: the exception's own {@link RetryAfterHint}, if it has one. */
  static @Nullable Duration hintOf(Throwable error) {
    return error instanceof RetryAfterHint hint ? hint.retryAfter() : null;
  }
}
