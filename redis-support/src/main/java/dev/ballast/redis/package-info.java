/**
 * What every Redis-backed Ballast part shares: the {@link dev.ballast.redis.RedisGuard} that turns a Redis
 * outage into a fallback, the classification of Redis failures ({@link dev.ballast.redis.RedisErrorKind}),
 * Lua scripts run by SHA ({@link dev.ballast.redis.RedisScript}) and the Redis Cluster hash-tag rule
 * ({@link dev.ballast.redis.HashTags}). Non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.ballast.redis;

import org.jspecify.annotations.NullMarked;
