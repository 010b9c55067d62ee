package dev.ballast.core;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.Check;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * How long to wait before each retry: exponential growth from an initial delay, capped at a maximum,
 * spread by {@link Jitter}. Immutable and thread-safe; the {@code with…} methods return new instances.
 * <pre>{@code
 * Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16))
 *     .withJitter(Jitter.FULL);          // 1 s, 2 s, 4 s, 8 s, 16 s, each drawn from [0, d]
 * }</pre>
 *
 * @param initial the delay before the first retry (positive)
 * @param multiplier how much each delay grows over the previous one (at least 1)
 * @param max the largest delay ever returned (at least {@code initial})
 * @param jitter how delays are randomized
 * @param random where random numbers come from; {@code null} means {@link ThreadLocalRandom}. A seeded
 *     generator makes delays repeatable in tests; most generators are not thread-safe, so share one
 *     only between calls on one thread.
 */
public record Backoff(Duration initial, double multiplier, Duration max, Jitter jitter,
    @Nullable RandomGenerator random) {

  /** Validates every field; messages name the field. */
  public Backoff {
    Check.positive(initial, "Backoff.initial");
    Check.positive(max, "Backoff.max");
    Check.atLeast(multiplier, 1.0, "Backoff.multiplier");
    Check.notNull(jitter, "Backoff.jitter");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "Backoff.max must be at least Backoff.initial (" + initial + "), was " + max);
    }
  }

  /**
   * Delays that double from {@code initial} up to {@code max}, without jitter.
   *
   * @throws IllegalArgumentException if a duration is not positive or {@code max < initial}
   */
  public static Backoff exponential(Duration initial, Duration max) {
    return new Backoff(initial, 2.0, max, Jitter.NONE, null);
  }

  /** The same delay before every retry. */
  public static Backoff fixed(Duration delay) {
    return new Backoff(delay, 1.0, delay, Jitter.NONE, null);
  }

  /** This backoff with each delay {@code multiplier} times the previous one. */
  public Backoff withMultiplier(double multiplier) {
    return new Backoff(initial, multiplier, max, jitter, random);
  }

  /** This backoff with another maximum. */
  public Backoff withMax(Duration max) {
    return new Backoff(initial, multiplier, max, jitter, random);
  }

  /** This backoff with {@code jitter}. */
  public Backoff withJitter(Jitter jitter) {
    return new Backoff(initial, multiplier, max, jitter, random);
  }

  /** This backoff drawing from {@code random} (for repeatable tests); see the record's notes. */
  public Backoff withRandom(RandomGenerator random) {
    return new Backoff(initial, multiplier, max, jitter, Check.notNull(random, "Backoff.random"));
  }

  /**
   * Returns the delay before retry number {@code retry}.
   *
   * @param retry 1 for the first retry (the second attempt), 2 for the next, and so on
   * @param previousDelayNanos the delay this method returned for the previous retry, or 0 before the
   *     first; only {@link Jitter#DECORRELATED} uses it
   * @return the delay in nanoseconds, between 0 and {@link #max()}
   * @throws IllegalArgumentException if {@code retry < 1}
   */
  public long delayNanos(int retry, long previousDelayNanos) {
    Check.atLeast(retry, 1, "retry");
    long initialNanos = Check.saturatedNanos(initial);
    long maxNanos = Check.saturatedNanos(max);
    return switch (jitter) {
      case NONE -> exponentialNanos(retry, initialNanos, maxNanos);
      case FULL -> between(0, exponentialNanos(retry, initialNanos, maxNanos));
      case EQUAL -> {
        long d = exponentialNanos(retry, initialNanos, maxNanos);
        yield between(d - d / 2, d);
      }
      case DECORRELATED -> {
        long previous = Math.max(previousDelayNanos, initialNanos);
        long upper = previous > maxNanos / 3 ? maxNanos : previous * 3;
        yield between(initialNanos, Math.min(upper, maxNanos));
      }
    };
  }

  private long exponentialNanos(int retry, long initialNanos, long maxNanos) {
    double delay = initialNanos * Math.pow(multiplier, retry - 1);
    return delay >= maxNanos ? maxNanos : (long) delay; // also covers overflow to infinity
  }

  /** Uniform in [low, high], both inclusive. */
  private long between(long low, long high) {
    if (high <= low) {
      return low;
    }
    RandomGenerator source = random != null ? random : ThreadLocalRandom.current();
    return high == Long.MAX_VALUE ? source.nextLong(low, high) : source.nextLong(low, high + 1);
  }
}
