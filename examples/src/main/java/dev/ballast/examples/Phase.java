package dev.ballast.examples;

import java.time.Duration;

/**
 * One stretch of the scenario: traffic at a fixed rate for a fixed time, with the database up or down.
 *
 * @param name shown in tables and charts
 * @param duration how long it lasts
 * @param requestsPerSecond the offered load (open loop: it does not slow down when the service does)
 * @param databaseDown whether the database is in an outage throughout
 */
record Phase(String name, Duration duration, int requestsPerSecond, boolean databaseDown) {

  Phase {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("Phase.duration must be positive, was " + duration);
    }
    if (requestsPerSecond < 1) {
      throw new IllegalArgumentException("Phase.requestsPerSecond must be at least 1, was " + requestsPerSecond);
    }
  }
}
