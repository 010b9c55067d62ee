package dev.ballast.degradation.internal;

import dev.ballast.degradation.Mode;
import dev.ballast.degradation.Trigger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@code SwitchboardBuilder} validated, handed to {@link DefaultSwitchboard}. Immutable. */
public record BoardConfig(String name, Set<String> features, Map<String, Mode> modes, List<Trigger> triggers,
    String keyPrefix, String instanceId, Duration evaluateEvery, Duration refreshEvery, Duration redisTimeout,
    Duration fleetTriggerLease, boolean manualSchedule) {

  public BoardConfig {
    checkLease(fleetTriggerLease, redisTimeout);
  }

  /** The smallest lease, in Redis timeouts: see {@link #checkLease}. */
  public static final int MIN_LEASE_TIMEOUTS = 6;

  /**
   * The worst case of one renewal cycle: it waits for at most one fleet trigger write in flight (up to the
   * Redis timeout T) and then renews every engaged entry in one call (up to T again), so a cycle takes up
   * to 2T. Cycles start every third of the lease L on their own thread, on a fixed rate that the cycle's
   * duration does not move; a renewal lands in Redis no earlier than its cycle's start, the next one no
   * later than L/3 + 2T after that. Keeping a third of the lease to spare (for what no timeout bounds: GC
   * pauses, a loaded host's scheduling) needs L/3 + 2T &lt;= 2L/3, that is L &gt;= 6T; it also makes 2T fit in
   * the period, so cycles never pile up.
   *
   * @throws IllegalStateException naming both values if the lease is too short
   */
  public static void checkLease(Duration lease, Duration redisTimeout) {
    Duration minimum = redisTimeout.multipliedBy(MIN_LEASE_TIMEOUTS);
    if (lease.compareTo(minimum) < 0) {
      throw new IllegalStateException("Switchboard.fleetTriggerLease (" + lease + ") must be at least "
          + MIN_LEASE_TIMEOUTS + " x redisTimeout (" + redisTimeout + ") = " + minimum + ": renewals start every third "
          + "of the lease and one may wait a redisTimeout for a trigger's write and take another itself");
    }
  }
}
