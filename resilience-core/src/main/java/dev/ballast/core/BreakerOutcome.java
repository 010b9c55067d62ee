package dev.ballast.core;

/**
 * How a call ended, as a small int so windows can store it in a byte and meters can index an array by
 * it. Bit 0 means failed, bit 1 means slow; {@link #IGNORED} and {@link #REJECTED} are never stored in a
 * window.
 */
final class BreakerOutcome {

  static final int SUCCESS = 0;
  static final int FAILURE = 1;
  static final int SLOW_SUCCESS = 2;
  static final int SLOW_FAILURE = 3;
  static final int IGNORED = 4;
  static final int REJECTED = 5;

  private static final String[] TAGS = {
      "success", "failure", "slow_success", "slow_failure", "ignored", "rejected"};

  private BreakerOutcome() {}

  static int of(boolean failed, boolean slow) {
    return (failed ? FAILURE : SUCCESS) | (slow ? SLOW_SUCCESS : SUCCESS);
  }

  static boolean failed(int outcome) {
    return (outcome & FAILURE) != 0;
  }

  static boolean slow(int outcome) {
    return (outcome & SLOW_SUCCESS) != 0;
  }

  static int count() {
    return TAGS.length;
  }

  /** The value of the {@code outcome} metric tag. */
  static String tag(int outcome) {
    return TAGS[outcome];
  }
}
