package dev.ballast.queue.internal;

import dev.ballast.core.Backoff;

/**
 * A job claimed for one attempt.
 *
 * @param attempt this attempt's number (1 for the first), also the fencing token for ack/fail/extend
 * @param idempotencyKey null for none
 */
public record ClaimedJob(String id, String type, byte[] payload, int priority, int attempt, int maxAttempts,
    Backoff backoff, String idempotencyKey) {}
