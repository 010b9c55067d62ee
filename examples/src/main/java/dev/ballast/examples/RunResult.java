package dev.ballast.examples;

import java.util.List;

/**
 * One run of the scenario (without or with Ballast).
 *
 * @param label "without Ballast" or "with Ballast"
 * @param withBallast which run this is
 * @param phases per phase, in order
 * @param phaseStartSeconds when each phase started, seconds from the run's start
 * @param seconds per second
 * @param flips the switchboard's flips (none without Ballast)
 * @param jobs the confirmation jobs after the run, once drained (or the drain wait ran out)
 * @param deferredWrites the writes deferred in read-only mode, after the same drain
 * @param searches the uncached search, per phase (kept out of {@code phases} and {@code seconds})
 */
record RunResult(String label, boolean withBallast, List<PhaseResult> phases, List<Double> phaseStartSeconds,
    List<SecondResult> seconds, List<FlipLog.Flip> flips, JobStats jobs, JobStats deferredWrites,
    List<SearchResult> searches) {

  RunResult {
    phases = List.copyOf(phases);
    phaseStartSeconds = List.copyOf(phaseStartSeconds);
    seconds = List.copyOf(seconds);
    flips = List.copyOf(flips);
    searches = List.copyOf(searches);
  }

  /** Writes deferred over all phases. */
  long writesDeferred() {
    return phases.stream().mapToLong(PhaseResult::writesDeferred).sum();
  }

  /** Database calls over all phases. */
  long databaseCalls() {
    return phases.stream().mapToLong(PhaseResult::databaseCalls).sum();
  }
}
