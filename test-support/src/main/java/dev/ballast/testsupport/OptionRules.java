package dev.ballast.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** The rules the option builders share: each option set once, durations positive, close everything. */
final class OptionRules {

  private OptionRules() {}

  /**
   * Returns {@code value} if {@code current} is unset and {@code value} is positive.
   *
   * @throws IllegalStateException if {@code current} is already set
   * @throws IllegalArgumentException if {@code value} is zero or negative
   */
  static Duration positiveOnce(Duration current, Duration value, String name) {
    requireUnset(current, name);
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if {@code current} is unset.
   *
   * @throws IllegalStateException if {@code current} is already set
   */
  static <T> T once(T current, T value, String name) {
    requireUnset(current, name);
    return Objects.requireNonNull(value, name);
  }

  /** Closes every server, then throws the first failure, if any. */
  static void closeAll(List<RedisServer> servers) {
    RuntimeException first = null;
    for (RedisServer server : servers) {
      try {
        server.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static void requireUnset(Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(name + " is already set to " + current);
    }
  }
}
