package dev.ballast.core.internal;

import java.time.Duration;

/**
 * Argument checks whose messages name the offending field, e.g. {@code "RateLimiter.capacity must be
 * at least 1, was 0"}. Every config record and builder validates through these, so all of Ballast
 * reports bad input the same way.
 */
public final class Check {

  private Check() {}

  public static <T> T notNull(T value, String field) {
    if (value == null) {
      // Not requireNonNull(value, supplier): its capturing lambda would allocate on every call.
      throw new NullPointerException(field + " must not be null");
    }
    return value;
  }

  public static long atLeast(long value, long min, String field) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  public static int atLeast(int value, int min, String field) {
    return (int) atLeast((long) value, min, field);
  }

  public static long atMost(long value, long max, String field) {
    if (value > max) {
      throw new IllegalArgumentException(field + " must be at most " + max + ", was " + value);
    }
    return value;
  }

  /** A ratio in (0, 1] by default; use {@link #ratio(double, boolean, String)} to allow zero. */
  public static double ratio(double value, String field) {
    return ratio(value, false, field);
  }

  public static double ratio(double value, boolean zeroAllowed, String field) {
    boolean ok = zeroAllowed ? value >= 0.0 && value <= 1.0 : value > 0.0 && value <= 1.0;
    if (!ok || Double.isNaN(value)) {
      throw new IllegalArgumentException(
          field + " must be in " + (zeroAllowed ? "[0, 1]" : "(0, 1]") + ", was " + value);
    }
    return value;
  }

  public static double atLeast(double value, double min, String field) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " must be a finite number of at least " + min + ", was " + value);
    }
    return value;
  }

  public static Duration positive(Duration value, String field) {
    notNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    return value;
  }

  public static Duration notNegative(Duration value, String field) {
    notNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
    return value;
  }

  public static String notBlank(String value, String field) {
    notNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return value;
  }

  /** Converts to nanoseconds, saturating at {@link Long#MAX_VALUE} rather than throwing. */
  public static long saturatedNanos(Duration value) {
    try {
      return value.toNanos();
    } catch (ArithmeticException overflow) {
      return value.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
