package dev.ballast.queue.internal;

import dev.ballast.core.Backoff;

/**
 * A job claimed for one attempt.
 *
 * @param attempt this attempt's number (1 for the first)
 * @param token the fencing token of this claim for ack/fail/extend: it grows with every claim of the job
 *     and is never reset (attempts are, by a dead-letter requeue, and refunded, by a rate-limit refusal)
 * @param idempotencyKey null for none
 */
public record ClaimedJob(String id, String type, byte[] payload, int priority, int attempt, long token,
    int maxAttempts, Backoff backoff, String idempotencyKey) {}
