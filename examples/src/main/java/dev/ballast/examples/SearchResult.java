package dev.ballast.examples;

/**
 * What one phase of one run measured for the uncached search.
 *
 * @param name the phase
 * @param requests searches scheduled in it
 * @param goodputPerSecond searches answered within the deadline, per second of the phase
 * @param errors searches that failed or were answered after the deadline
 * @param shed searches the concurrency limiter refused (none without Ballast)
 * @param shedP95Millis the 95th percentile of how long a refusal took, from the scheduled start (what the client
 *     saw, the wait for a request thread and, on a loaded machine, for a CPU included)
 * @param refusalP50Millis the median of the same from the call's start on its request thread: the service's own
 *     time
 * @param refusalP95Millis its 95th percentile
 * @param refusalP99Millis its 99th percentile
 * @param retryAfterMillis the median retry-after hint the refusals carried
 * @param retryAfterMinMillis the smallest retry-after hint (every refusal had one if positive)
 * @param answeredP95Millis the 95th percentile latency of the searches let in and answered
 * @param limit the limiter's limit at the phase's end, per instance ("a+b"), or "-" without one
 */
record SearchResult(String name, long requests, double goodputPerSecond, long errors, long shed, double shedP95Millis,
    double refusalP50Millis, double refusalP95Millis, double refusalP99Millis, double retryAfterMillis, double retryAfterMinMillis, double answeredP95Millis, String limit) {

  /** The target for an overloaded uncached endpoint. */
  static final double ANSWERED_P95_TARGET_MILLIS = 300;

  /** How fast a refusal must be (p95, in the service), with a retry-after hint. */
  static final double REFUSAL_P95_TARGET_MILLIS = 5;

  /**
   * Whether the searches let in kept p95 under 300 ms and the shed ones were refused within 5 ms (p95, the
   * statistic of the demo's SLO; in the service: from the call's start on its request thread), each with a
   * retry-after hint.
   */
  boolean heldTargets() {
    boolean answeredFast = answeredP95Millis < ANSWERED_P95_TARGET_MILLIS;
    boolean shedFast = shed == 0 || (refusalP95Millis < REFUSAL_P95_TARGET_MILLIS && retryAfterMinMillis > 0);
    return answeredFast && shedFast;
  }
}
