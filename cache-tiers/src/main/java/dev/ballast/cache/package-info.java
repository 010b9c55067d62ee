/**
 * The two-level cache: {@link dev.ballast.cache.TieredCache} (L1 in process, L2 in Redis, fleet-wide load
 * leases and invalidation), built with {@link dev.ballast.cache.TieredCacheBuilder} or from configuration
 * ({@link dev.ballast.cache.CacheSpec}). Non-null unless marked {@code @Nullable}: a loader's "no value" and
 * a read's absent result are the nullable spots.
 */
@NullMarked
package dev.ballast.cache;

import org.jspecify.annotations.NullMarked;
