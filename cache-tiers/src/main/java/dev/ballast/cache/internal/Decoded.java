package dev.ballast.cache.internal;

/**
 * An entry read from Redis: the value (null for a cached absence) and its header's times in Redis
 * milliseconds.
 */
record Decoded<V>(V value, long writeMs, long softMs, long hardMs, long loadMs) {}
