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

  /**
   * A renewal may take up to the Redis timeout; with renewals every third of the lease, a lease under 3 ×
   * that timeout could lapse while its instance is alive and Redis merely slow.
   *
   * @throws IllegalStateException naming both values if the lease is too short
   */
  public static void checkLease(Duration lease, Duration redisTimeout) {
    if (lease.compareTo(redisTimeout.multipliedBy(3)) < 0) {
      throw new IllegalStateException("Switchboard.fleetTriggerLease (" + lease + ") must be at least 3 x redisTimeout ("
          + redisTimeout + "): a renewal may take that long");
    }
  }
}
