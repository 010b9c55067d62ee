package dev.ballast.examples;

/**
 * A completed checkout.
 *
 * @param orderId the order, whose confirmation e-mail is queued
 * @param paymentId the payment provider's reference
 */
public record Receipt(String orderId, String paymentId) {}
