package dev.ballast.queue.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.EntrySection;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.QueueConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code queues.<name>}: one {@link JobQueue} per entry, registered under the entry's name and closed with
 * the registry. Each key sets the {@link QueueConfig.Builder} option of the same name ({@code priorities}
 * sets {@code priorityWeights}); an absent key keeps the builder's default, read from a default config so
 * the numbers live in one place. {@code redis} chooses the backend: Redis when the context has a
 * {@code "redis"} resource (a Lettuce {@link RedisClient}, standalone or Sentinel, or a {@link
 * RedisClusterClient}), else memory.
 *
 * <p>The context's ticker (unless it is {@link Ticker#system()}) is handed to an in-memory queue only: on
 * Redis a ticker would replace Redis {@code TIME} in the scripts, and clients' clocks must never be the
 * fleet's (a {@code QueueConfig} built in code may still do that, for tests).
 */
public final class QueuesSection extends EntrySection {

  /** The context resource a Redis queue opens its connection from. */
  static final String REDIS_RESOURCE = "redis";

  /** {@link QueueConfig} fields whose config key has another name, for errors from its validation. */
  private static final Map<String, String> FIELD_TO_KEY = Map.of("priorityWeights", "priorities");
  private static final Pattern FIELD = Pattern.compile("QueueConfig\\.(\\w+)");

  @Override
  public String key() {
    return "queues";
  }

  /** After core's sections, beside {@code caches}. */
  @Override
  public int order() {
    return 20;
  }

  @Override
  public Set<String> entryKeys() {
    return Set.of("redis", "aclPrefix", "keyPrefix", "priorities", "defaultPriority", "maxAttempts", "backoff",
        "visibilityTimeout", "maxPayloadBytes", "idempotencyWindow", "pollInterval", "claimBatch", "targetAge",
        "hungHandlerGrace", "shutdownTimeout", "replicas", "replicaTimeout");
  }

  @Override
  protected Object buildEntry(String name, ConfigNode entry, ConfigContext context) {
    QueueConfig defaults = QueueConfig.builder().name(name).build(); // also checks the name
    Object redis = redisClient(entry, context);
    QueueConfig.Builder builder = QueueConfig.builder().name(name)
        .aclPrefix(entry.string("aclPrefix", defaults.aclPrefix()))
        .keyPrefix(entry.string("keyPrefix", defaults.keyPrefix()))
        .priorityWeights(weights(entry, defaults.priorityWeights()))
        .defaultPriority(entry.intValue("defaultPriority", defaults.defaultPriority(), 0, Integer.MAX_VALUE))
        .maxAttempts(entry.intValue("maxAttempts", defaults.maxAttempts(), 1, Integer.MAX_VALUE))
        .backoff(entry.backoff("backoff", defaults.backoff()))
        .visibilityTimeout(entry.duration("visibilityTimeout", defaults.visibilityTimeout()))
        .maxPayloadBytes(entry.intValue("maxPayloadBytes", defaults.maxPayloadBytes(), 1, Integer.MAX_VALUE))
        .idempotencyWindow(entry.duration("idempotencyWindow", defaults.idempotencyWindow()))
        .pollInterval(entry.duration("pollInterval", defaults.pollInterval()))
        .claimBatch(entry.intValue("claimBatch", defaults.claimBatch(), 1, Integer.MAX_VALUE))
        .targetAge(entry.duration("targetAge", defaults.targetAge()))
        .hungHandlerGrace(entry.duration("hungHandlerGrace", defaults.hungHandlerGrace()))
        .shutdownTimeout(entry.duration("shutdownTimeout", defaults.shutdownTimeout()))
        .replicas(entry.intValue("replicas", defaults.replicas(), 0, Integer.MAX_VALUE),
            entry.duration("replicaTimeout", defaults.replicaTimeout()))
        .meterRegistry(context.meterRegistry())
        // In memory the context's clock is the queue's; on Redis the scripts read Redis TIME, never a client's.
        .ticker(redis == null && context.ticker() != Ticker.system() ? context.ticker() : null);
    QueueConfig config;
    try {
      config = builder.build();
    } catch (IllegalArgumentException e) {
      throw atKey(entry, e); // a rule across keys (defaultPriority past the last level) or a range
    }
    if (redis == null) {
      return JobQueue.inMemory(config);
    }
    return redis instanceof RedisClusterClient cluster ? JobQueue.redis(cluster, config)
        : JobQueue.redis((RedisClient) redis, config);
  }

  /** The client for a Redis queue (a RedisClient or a RedisClusterClient), or null for one in memory. */
  private static Object redisClient(ConfigNode entry, ConfigContext context) {
    boolean available = context.resources().containsKey(REDIS_RESOURCE);
    if (!entry.bool("redis", available)) {
      return null;
    }
    if (context.resources().get(REDIS_RESOURCE) instanceof RedisClusterClient cluster) {
      return cluster;
    }
    try {
      return context.resource(REDIS_RESOURCE, RedisClient.class);
    } catch (IllegalArgumentException e) {
      ConfigNode key = entry.get("redis");
      throw (key != null ? key : entry).error(e.getMessage());
    }
  }

  private static List<Integer> weights(ConfigNode entry, List<Integer> defaults) {
    ConfigNode node = entry.get("priorities");
    if (node == null) {
      return defaults;
    }
    List<Integer> weights = new ArrayList<>();
    for (ConfigNode item : node.items()) {
      weights.add((int) item.asLong(Integer.MIN_VALUE, Integer.MAX_VALUE)); // ASCII digits only; range: the builder
    }
    return weights;
  }

  /** The builder's message, at the line of the key it names ({@code QueueConfig.maxAttempts ...}). */
  private static ConfigException atKey(ConfigNode entry, IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    Matcher field = FIELD.matcher(message);
    ConfigNode key = field.lookingAt() ? entry.get(FIELD_TO_KEY.getOrDefault(field.group(1), field.group(1))) : null;
    return (key != null ? key : entry).error(message);
  }
}
