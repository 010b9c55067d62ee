package dev.ballast.examples;

import java.util.List;

/**
 * Two instances of the storefront, as one run drives them: {@link PlainDeployment} (no Ballast) or
 * {@link BallastDeployment}. The load driver sends requests to the instances in turn.
 */
interface Deployment extends AutoCloseable {

  /** "without Ballast" or "with Ballast". */
  String label();

  /** Whether this is the Ballast-wired run. */
  boolean withBallast();

  /** The two instances' entry points. */
  List<Storefront> instances();

  /** The confirmation jobs now (one Redis round trip with Ballast). */
  JobStats jobs();

  /**
   * The writes deferred to the job queue in read-only mode now, as {@link JobStats} (enqueued: deferred,
   * processed: applied); {@link JobStats#NONE} without Ballast.
   */
  JobStats deferredWrites();

  /** The switchboard's degraded switches ("normal"), or "-" without a switchboard. */
  String switchboardState();

  /** The search limiter's limit on each instance now ("a+b"), or "-" without a limiter. */
  String searchLimit();

  /** Whether serve-cached is on (false without a switchboard). */
  boolean serveCached();

  /** Stops the instances' workers and closes their connections (not the shared Redis client). */
  @Override
  void close();
}
