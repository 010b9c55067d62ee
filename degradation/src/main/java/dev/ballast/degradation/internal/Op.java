package dev.ballast.degradation.internal;

/**
 * One write for the fleet state: set {@code entry} at {@code field}, or delete the field when entry is
 * null.
 */
record Op(String field, Entry entry) {}
