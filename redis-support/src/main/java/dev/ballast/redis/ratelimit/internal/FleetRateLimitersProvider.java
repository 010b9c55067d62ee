package dev.ballast.redis.ratelimit.internal;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.RateLimiterConfig;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.internal.config.FleetRateLimiters;
import dev.ballast.redis.ratelimit.DistributedRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.Set;

/**
 * {@code rateLimiters.<name>.scope: fleet}: a {@link DistributedRateLimiter} on the context's {@code redis}
 * resource (a Lettuce {@link RedisClient} for one server or Sentinel, or a {@link RedisClusterClient}), with {@code instances} (the fallback's share, default 1),
 * {@code aclPrefix}, {@code keyPrefix} and {@code redisTimeout}. The context's ticker is never handed to it:
 * a client's clock must not replace Redis {@code TIME} for the fleet.
 */
public final class FleetRateLimitersProvider implements FleetRateLimiters {

  /** The context resource the limiter opens its connection from, as for queues. */
  static final String REDIS_RESOURCE = "redis";

  @Override
  public Set<String> entryKeys() {
    return Set.of("instances", "aclPrefix", "keyPrefix", "redisTimeout");
  }

  @Override
  public RateLimiter build(RateLimiterConfig config, ConfigNode entry, ConfigContext context) {
    Object resource = context.resources().get(REDIS_RESOURCE);
    DistributedRateLimiter.Builder builder = DistributedRateLimiter.builder().name(config.name())
        .rate(config.rate()).maxWait(config.maxWait());
    if (resource instanceof RedisClusterClient cluster) {
      builder.redis(cluster);
    } else if (resource instanceof RedisClient client) {
      builder.redis(client);
    } else {
      throw entry.get("scope").error("The configuration needs a RedisClient or RedisClusterClient resource named '"
          + REDIS_RESOURCE + "' in its ConfigContext" + (resource == null ? "" : ", found a "
          + resource.getClass().getName()));
    }
    builder.instances(entry.intValue("instances", 1, 1, 1_000_000));
    if (entry.get("aclPrefix") != null) {
      builder.aclPrefix(entry.string("aclPrefix", null));
    }
    if (entry.get("keyPrefix") != null) {
      builder.keyPrefix(entry.string("keyPrefix", null));
    }
    if (entry.get("redisTimeout") != null) {
      builder.redisTimeout(entry.duration("redisTimeout", null));
    }
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    return builder.build();
  }
}
