package dev.ballast.examples;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The application's own count of one run's order confirmations, to check that none is lost: every
 * enqueued order ends up processed (its handler returned) or dead (given up, kept for inspection).
 * Processed orders are kept as a set, so a job run twice (at-least-once delivery) counts once.
 */
final class JobLedger {

  private final LongAdder enqueued = new LongAdder();
  private final Set<String> processed = ConcurrentHashMap.newKeySet();
  private final LongAdder failedAttempts = new LongAdder();

  void enqueued() {
    enqueued.increment();
  }

  void processed(String orderId) {
    processed.add(orderId);
  }

  void failedAttempt() {
    failedAttempts.increment();
  }

  long enqueuedCount() {
    return enqueued.sum();
  }

  long processedCount() {
    return processed.size();
  }

  long failedAttempts() {
    return failedAttempts.sum();
  }
}
