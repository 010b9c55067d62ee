package dev.ballast.cache.internal;

/**
 * An entry read from Redis: the value (null for a cached absence) and its header's times in Redis
 * milliseconds. Also what a read that found an entry this version reads answers ({@link L2Read}), so an
 * L2 hit allocates no wrapper around it.
 */
record Decoded<V>(V value, long writeMs, long softMs, long hardMs, long loadMs) implements L2Read<V> {}
