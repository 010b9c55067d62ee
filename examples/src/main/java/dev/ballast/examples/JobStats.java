package dev.ballast.examples;

/**
 * One kind of job of a run at one moment: the order confirmations, or the writes deferred in read-only
 * mode (for those, "enqueued" reads "deferred" and "processed" reads "applied").
 *
 * @param enqueued distinct jobs enqueued so far
 * @param processed distinct jobs whose handler succeeded
 * @param dead jobs given up (dead letters; without Ballast, confirmations whose one attempt failed)
 * @param waiting jobs not yet done: ready, waiting for a retry, or running
 * @param oldestAgeMillis how long the oldest ready job has waited, 0 if none
 * @param failedAttempts attempts whose handler failed (with Ballast, retried after a backoff or dead-lettered)
 */
record JobStats(long enqueued, long processed, long dead, long waiting, long oldestAgeMillis, long failedAttempts) {

  /** No jobs: the deferred writes of the run without Ballast. */
  static final JobStats NONE = new JobStats(0, 0, 0, 0, 0, 0);

  /** Whether every enqueued job is accounted for (processed or dead), i.e. none was lost. */
  boolean noneLost() {
    return processed + dead == enqueued;
  }
}
