package dev.ballast.examples;

/**
 * The order-confirmation jobs of a run at one moment.
 *
 * @param enqueued jobs enqueued so far
 * @param processed distinct jobs whose handler succeeded
 * @param dead jobs given up (dead letters; without Ballast, jobs whose one attempt failed)
 * @param waiting jobs not yet done: ready, waiting for a retry, or running
 * @param oldestAgeMillis how long the oldest ready job has waited, 0 if none
 * @param failedAttempts attempts whose handler failed (with Ballast, retried after a backoff or dead-lettered)
 */
record JobStats(long enqueued, long processed, long dead, long waiting, long oldestAgeMillis, long failedAttempts) {

  /** Whether every enqueued job is accounted for (processed or dead), i.e. none was lost. */
  boolean noneLost() {
    return processed + dead == enqueued;
  }
}
