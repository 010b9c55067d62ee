/**
 * The fleet-wide rate limiter: {@link dev.ballast.redis.ratelimit.DistributedRateLimiter}, one token bucket in
 * Redis shared by every instance (one server, Sentinel or Redis Cluster). Non-null unless marked
 * {@code @Nullable}.
 */
@NullMarked
package dev.ballast.redis.ratelimit;

import org.jspecify.annotations.NullMarked;
