package dev.ballast.examples;

/**
 * A checkout's answer.
 *
 * @param orderId the order
 * @param paymentId the payment provider's reference (the order is paid either way)
 * @param pending whether the order was accepted in read-only mode: paid, but stored (and its confirmation
 *     e-mail queued) only once the database is back, by a {@code place-order} job; false when it was stored
 *     before this answer and its confirmation is already queued
 */
public record Receipt(String orderId, String paymentId, boolean pending) {}
