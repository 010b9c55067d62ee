package dev.ballast.examples;

/**
 * One second of one run, for the charts.
 *
 * @param second seconds since the recorded phases started
 * @param requests requests scheduled in it
 * @param p95Millis their 95th percentile latency
 * @param errorRatio their share of errors
 * @param databaseCalls database queries during it (-1 if not sampled)
 * @param serveCached whether serve-cached was on at its end
 */
record SecondResult(int second, long requests, double p95Millis, double errorRatio, long databaseCalls,
    boolean serveCached) {}
