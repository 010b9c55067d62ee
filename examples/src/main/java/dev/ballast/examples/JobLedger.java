package dev.ballast.examples;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The application's own count of one run's jobs, to check that none is lost: every order confirmation
 * enqueued ends up processed (its handler returned) or dead (given up, kept for inspection), and so does
 * every write deferred in read-only mode (applied, or dead). Ids are kept as sets, so a job run twice
 * (at-least-once delivery), or enqueued twice under one idempotency key (a {@code place-order} job that
 * reran after queueing its confirmation), counts once. Thread-safe: concurrent sets and adders.
 */
final class JobLedger {

  private final Set<String> enqueued = ConcurrentHashMap.newKeySet();
  private final Set<String> processed = ConcurrentHashMap.newKeySet();
  private final LongAdder failedAttempts = new LongAdder();
  private final Set<String> deferred = ConcurrentHashMap.newKeySet();
  private final Set<String> applied = ConcurrentHashMap.newKeySet();
  private final LongAdder failedWriteAttempts = new LongAdder();

  /** The confirmation of {@code orderId} was enqueued. */
  void enqueued(String orderId) {
    enqueued.add(orderId);
  }

  /** The confirmation of {@code orderId} was sent. */
  void processed(String orderId) {
    processed.add(orderId);
  }

  /** An attempt to send a confirmation failed. */
  void failedAttempt() {
    failedAttempts.increment();
  }

  /** A refused write was deferred as the job {@code jobId}. */
  void deferred(String jobId) {
    deferred.add(jobId);
  }

  /** The deferred write {@code jobId} was applied to the database. */
  void applied(String jobId) {
    applied.add(jobId);
  }

  /** An attempt to apply a deferred write failed. */
  void failedWriteAttempt() {
    failedWriteAttempts.increment();
  }

  long enqueuedCount() {
    return enqueued.size();
  }

  long processedCount() {
    return processed.size();
  }

  long failedAttempts() {
    return failedAttempts.sum();
  }

  long deferredCount() {
    return deferred.size();
  }

  long appliedCount() {
    return applied.size();
  }

  long failedWriteAttempts() {
    return failedWriteAttempts.sum();
  }
}
