package dev.ballast.examples;

import java.util.Map;

/**
 * What one phase of one run measured.
 *
 * @param name the phase
 * @param requests requests scheduled in it
 * @param p50Millis median latency, from the scheduled start
 * @param p95Millis 95th percentile latency
 * @param p99Millis 99th percentile latency
 * @param errorRatio share of requests that failed or missed the deadline
 * @param degradedRatio share answered with a fallback
 * @param databaseCalls queries the database received (failed ones included)
 * @param cacheHitRatio share of product reads answered from the cache (in time, without a database query)
 * @param writesDeferred writes deferred to the job queue during the phase (refused before they ran)
 * @param jobsWaiting confirmation jobs not done at the phase's end
 * @param oldestJobMillis age of the oldest ready job at the phase's end
 * @param switchboard the switchboard's degraded switches at the phase's end ("normal"; "-" without Ballast)
 * @param errorCauses errors by cause, most frequent first
 */
record PhaseResult(String name, long requests, double p50Millis, double p95Millis, double p99Millis, double errorRatio,
    double degradedRatio, long databaseCalls, double cacheHitRatio, long writesDeferred, long jobsWaiting,
    long oldestJobMillis,
    String switchboard, Map<String, Long> errorCauses) {

  /** The seeds' SLO: p95 under 300 ms and error ratio under 0.5 %. */
  boolean meetsSlo() {
    return p95Millis < 300 && errorRatio < 0.005;
  }
}
