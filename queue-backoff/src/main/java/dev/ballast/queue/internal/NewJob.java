package dev.ballast.queue.internal;

import dev.ballast.core.Backoff;

/**
 * A job as it is enqueued, already encoded and resolved against the queue's defaults.
 *
 * @param delayMillis 0 for ready now
 * @param deadlineMillis how long after enqueue it must have started, 0 for no deadline
 * @param idempotencyKey null for none
 */
public record NewJob(String type, byte[] payload, int priority, int maxAttempts, Backoff backoff, long delayMillis,
    long deadlineMillis, String idempotencyKey) {}
