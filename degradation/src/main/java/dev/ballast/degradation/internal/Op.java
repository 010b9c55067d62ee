package dev.ballast.degradation.internal;

/**
 * One write for the fleet state: set {@code entry} at {@code field}, or delete the field when entry is
 * null, stamped with the {@link Hlc} {@code clock} of the action that made it (the newest action of a
 * field wins in Redis, whatever order the writes arrive in).
 */
record Op(String field, Entry entry, String clock) {}
