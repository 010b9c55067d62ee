package dev.ballast.degradation.internal;

/**
 * The engage/disengage decision of one trigger: engage when the value reaches {@code enter}, disengage
 * when it falls to {@code exit} ({@code exit < enter}), and never flip again within {@code dwellNanos} of
 * the last flip. NaN changes nothing. So a value between the two thresholds never flips it, and no two
 * flips are closer than the dwell time, whatever the signal does.
 *
 * <p>Not thread-safe: the switchboard calls it from {@code evaluate()}, which is serialized.
 */
final class Hysteresis {

  private final double enter;
  private final double exit;
  private final long dwellNanos;
  private boolean engaged;
  private boolean flipped;
  private long lastFlip;

  Hysteresis(double enter, double exit, long dwellNanos) {
    this.enter = enter;
    this.exit = exit;
    this.dwellNanos = dwellNanos;
  }

  /** Feeds one reading taken at {@code now}; returns true if the trigger flipped. */
  boolean step(long now, double value) {
    if (Double.isNaN(value) || (flipped && now - lastFlip < dwellNanos)) {
      return false;
    }
    if (engaged ? value <= exit : value >= enter) {
      engaged = !engaged;
      flipped = true;
      lastFlip = now;
      return true;
    }
    return false;
  }

  boolean engaged() {
    return engaged;
  }
}
