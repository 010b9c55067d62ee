package dev.ballast.cache.internal.config;

import dev.ballast.cache.CacheSpec;
import dev.ballast.cache.Codec;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.TieredCacheBuilder;
import dev.ballast.cache.internal.ValueCodecs;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * {@code caches.<name>}: one {@link CacheSpec} per entry, registered under the entry's name for
 * {@code @Cached("<name>")}. Every key maps to the {@link TieredCacheBuilder} option of the same name
 * ({@code earlyRefresh} to {@code earlyRefresh(beta)}); an absent key keeps the builder's default, so the
 * defaults live in one place. Each key is checked by the builder as it is read, so a bad value is reported
 * at its own line. {@code redis} defaults to whether the context has a {@code "redis"} resource, a
 * RedisClient (one server or Sentinel) or a RedisClusterClient;
 * {@code spareOrigin} names a {@code BooleanSupplier} looked up when the cache is created (at wrap time).
 * The context's {@code "objectMapper"} resource, if any, writes and reads JSON values.
 */
public final class CachesSection extends EntrySection {

  private static final Set<String> KEYS = Set.of("redis", "keyPrefix", "l1MaximumSize", "l1Ttl", "ttl", "ttlJitter",
      "staleWhileRevalidate", "staleIfError", "earlyRefresh", "negativeTtl", "maxEncodedSize", "leaseTtl",
      "maxLeaseWait", "redisTimeout", "invalidation", "invalidationBatchWindow", "l1TtlWhileDisconnected",
      "keepL1DuringOutage", "warmUpChunk", "warmUpWait", "spareOrigin");

  /** One option read from the file, and the node to blame if the builder refuses it. */
  private record Setting(ConfigNode node, Consumer<TieredCacheBuilder<String, ?>> apply) {}

  @Override
  public String key() {
    return "caches";
  }

  @Override
  public int order() {
    return 20; // after the switchboard (10), whose spare-origin signal a cache may name
  }

  @Override
  public Set<String> entryKeys() {
    return KEYS;
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    List<Setting> settings = new ArrayList<>();
    redis(entry, context, settings);
    if (entry.get("staleWhileRevalidate") != null && entry.get("staleIfError") != null) {
      throw entry.get("staleIfError").error("give staleWhileRevalidate or staleIfError, not both: one window"
          + " says when a stale value may be served");
    }
    if (entry.get("keyPrefix") != null) {
      String prefix = entry.string("keyPrefix", null);
      settings.add(new Setting(entry.get("keyPrefix"), b -> b.keyPrefix(prefix)));
    }
    if (entry.get("l1MaximumSize") != null) {
      long size = entry.longValue("l1MaximumSize", null, 0, Long.MAX_VALUE);
      settings.add(new Setting(entry.get("l1MaximumSize"), b -> b.l1MaximumSize(size)));
    }
    duration(entry, "l1Ttl", settings, TieredCacheBuilder::l1Ttl);
    duration(entry, "ttl", settings, TieredCacheBuilder::ttl);
    if (entry.get("ttlJitter") != null) {
      double jitter = entry.ratio("ttlJitter", null);
      settings.add(new Setting(entry.get("ttlJitter"), b -> b.ttlJitter(jitter)));
    }
    duration(entry, "staleWhileRevalidate", settings, TieredCacheBuilder::staleWhileRevalidate);
    duration(entry, "staleIfError", settings, TieredCacheBuilder::staleIfError);
    if (entry.get("earlyRefresh") != null) {
      double beta = entry.number("earlyRefresh", null, 0.0);
      settings.add(new Setting(entry.get("earlyRefresh"), b -> b.earlyRefresh(beta)));
    }
    duration(entry, "negativeTtl", settings, TieredCacheBuilder::negativeTtl);
    if (entry.get("maxEncodedSize") != null) {
      int bytes = entry.intValue("maxEncodedSize", null, 1, Integer.MAX_VALUE);
      settings.add(new Setting(entry.get("maxEncodedSize"), b -> b.maxEncodedSize(bytes)));
    }
    duration(entry, "leaseTtl", settings, TieredCacheBuilder::leaseTtl);
    duration(entry, "maxLeaseWait", settings, TieredCacheBuilder::maxLeaseWait);
    duration(entry, "redisTimeout", settings, TieredCacheBuilder::redisTimeout);
    if (entry.get("invalidation") != null) {
      boolean on = entry.bool("invalidation", null);
      settings.add(new Setting(entry.get("invalidation"), b -> b.invalidation(on)));
    }
    duration(entry, "invalidationBatchWindow", settings, TieredCacheBuilder::invalidationBatchWindow);
    duration(entry, "l1TtlWhileDisconnected", settings, TieredCacheBuilder::l1TtlWhileDisconnected);
    if (entry.get("keepL1DuringOutage") != null) {
      boolean keep = entry.bool("keepL1DuringOutage", null);
      settings.add(new Setting(entry.get("keepL1DuringOutage"), b -> b.keepL1DuringOutage(keep)));
    }
    if (entry.get("warmUpChunk") != null) {
      int keys = entry.intValue("warmUpChunk", null, 1, Integer.MAX_VALUE);
      settings.add(new Setting(entry.get("warmUpChunk"), b -> b.warmUpChunk(keys)));
    }
    duration(entry, "warmUpWait", settings, TieredCacheBuilder::warmUpWait);
    check(name, settings);

    if (context.meterRegistry() != null) {
      settings.add(new Setting(entry, b -> b.meterRegistry(context.meterRegistry())));
    }
    settings.add(new Setting(entry, b -> b.ticker(context.ticker())));
    List<Setting> all = List.copyOf(settings);
    CacheSpec spec = CacheSpec.of(name, builder -> all.forEach(setting -> setting.apply().accept(builder)));
    if (entry.get("spareOrigin") != null) {
      String signal = entry.string("spareOrigin", null).trim();
      if (signal.isEmpty()) {
        throw entry.get("spareOrigin").error("must name a BooleanSupplier in the registry, such as switchboard");
      }
      spec = spec.withSpareOrigin(signal);
    }
    Object mapper = context.resources().get("objectMapper");
    if (mapper != null) {
      try {
        spec = spec.withValueCodecs(ObjectMappers.codecs(ValueCodecs.checkObjectMapper(mapper)));
      } catch (IllegalArgumentException e) {
        throw entry.error(e.getMessage());
      }
    }
    return spec;
  }

  private static void redis(ConfigNode entry, ConfigContext context, List<Setting> settings) {
    // Present is enough to mean "use it": a resource of the wrong type is an error, not an L1-only cache.
    boolean available = context.resources().containsKey("redis");
    if (!entry.bool("redis", available)) {
      return;
    }
    if (!available) {
      throw entry.get("redis").error("needs a RedisClient or RedisClusterClient resource named 'redis' in the"
          + " ConfigContext"
          + " (ConfigContext.builder().resource(\"redis\", redisClient)); say redis: false for an L1-only cache");
    }
    ConfigNode at = entry.get("redis") != null ? entry.get("redis") : entry;
    Object resource = context.resources().get("redis");
    Consumer<TieredCacheBuilder<String, ?>> apply;
    if (resource instanceof RedisClusterClient cluster) {
      apply = b -> b.redis(cluster);
    } else if (resource instanceof RedisClient client) {
      apply = b -> b.redis(client);
    } else {
      throw at.error("The configuration needs a RedisClient or RedisClusterClient resource named 'redis' in its"
          + " ConfigContext, found a " + resource.getClass().getName());
    }
    settings.add(new Setting(at, apply));
  }

  private static void duration(ConfigNode entry, String key, List<Setting> settings,
      BiConsumer<TieredCacheBuilder<String, ?>, Duration> option) {
    if (entry.get(key) != null) {
      Duration value = entry.duration(key, null);
      settings.add(new Setting(entry.get(key), b -> option.accept(b, value)));
    }
  }

  /** Applies the settings one at a time, so the builder's refusal is reported at the key that caused it. */
  private static void check(String name, List<Setting> settings) {
    TieredCacheBuilder<String, String> probe = TieredCache.builder(name, Codec.utf8(), Codec.utf8());
    for (Setting setting : settings) {
      try {
        setting.apply().accept(probe);
        probe.config();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw setting.node().error(e.getMessage());
      }
    }
  }
}
