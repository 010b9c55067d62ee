package dev.ballast.benchmarks;

import dev.ballast.cache.Codec;
import dev.ballast.cache.TieredCache;
import dev.ballast.testsupport.RedisCluster;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link CacheInvalidationBenchmark} on a local Redis Cluster (test-support's {@link RedisCluster}, the
 * {@code redis-server} on {@code PATH}): from an invalidation on one instance to its arrival at another, each
 * on its own {@link RedisClusterClient}. Contenders, all on the channel the cache uses
 * ({@code ballast:cache:bench-inv:invalidations}):
 *
 * <ul>
 *   <li>{@code lettuce-publish}: a raw cluster {@code DEL} of value and lease, then {@code PUBLISH} on the
 *       writer's cluster connection, until a plain Lettuce cluster pub/sub subscriber ({@code SUBSCRIBE}) has
 *       the message: classic pub/sub, broadcast over the cluster bus;
 *   <li>{@code lettuce-spublish}: the same with {@code SPUBLISH}/{@code SSUBSCRIBE} (Redis 7.0+), both on the
 *       channel's shard;
 *   <li>{@code ballast}: the cache's {@code invalidate} until the other instance has evicted the key; the cache
 *       chooses sharded pub/sub when every node runs 7.0+, classic otherwise (compare with the matching raw
 *       contender).
 * </ul>
 *
 * <p>Sampled, for the tails. The spin-wait for arrival keeps one core busy, as in the single-node benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterCacheInvalidationBenchmark {

  private static final String CHANNEL = "ballast:cache:bench-inv:invalidations";

  @Param({"lettuce-publish", "lettuce-spublish", "ballast"})
  public String contender;

  private RedisCluster cluster;
  private RedisClusterClient writerClient;
  private RedisClusterClient readerClient;
  private StatefulRedisClusterConnection<String, String> raw;
  private StatefulRedisClusterPubSubConnection<String, String> subscriber;
  private TieredCache<String, String> writer;
  private TieredCache<String, String> reader;
  private Operation operation;

  @Setup(Level.Trial)
  public void setUp() {
    cluster = RedisCluster.launch();
    writerClient = cluster.newClient();
    readerClient = cluster.newClient();
    switch (contender) {
      case "lettuce-publish", "lettuce-spublish" -> {
        boolean sharded = contender.equals("lettuce-spublish");
        if (sharded && !cluster.version().atLeast("7.0")) {
          throw new IllegalStateException("lettuce-spublish needs redis-server 7.0+ on PATH, found " + cluster.version());
        }
        raw = writerClient.connect();
        AtomicLong received = new AtomicLong();
        subscriber = readerClient.connectPubSub();
        subscriber.setNodeMessagePropagation(true);
        subscriber.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            received.incrementAndGet();
          }

          @Override
          public void smessage(String channel, String message) {
            received.incrementAndGet();
          }
        });
        if (sharded) {
          subscriber.sync().ssubscribe(CHANNEL);
        } else {
          subscriber.sync().subscribe(CHANNEL);
        }
        var commands = raw.sync();
        operation = () -> {
          long before = received.get();
          commands.del("ballast:cache:bench-inv:{k}:v", "ballast:cache:bench-inv:{k}:l");
          if (sharded) {
            commands.spublish(CHANNEL, "0123456789abcdefKk");
          } else {
            commands.publish(CHANNEL, "0123456789abcdefKk");
          }
          while (received.get() == before) {
            Thread.onSpinWait();
          }
          return before;
        };
      }
      case "ballast" -> {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        writer = TieredCache.builder("bench-inv", Codec.utf8(), Codec.utf8()).redis(writerClient).build();
        reader = TieredCache.builder("bench-inv", Codec.utf8(), Codec.utf8()).redis(readerClient)
            .meterRegistry(registry).build();
        FunctionCounter received = registry.find("ballast.cache.invalidations.received").functionCounter();
        operation = () -> {
          double before = received.count();
          writer.invalidate("k");
          while (received.count() == before) {
            Thread.onSpinWait();
          }
          return before;
        };
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (writer != null) {
      writer.close();
      reader.close();
    }
    if (subscriber != null) {
      subscriber.close();
    }
    if (raw != null) {
      raw.close();
    }
    writerClient.shutdown();
    readerClient.shutdown();
    cluster.close();
  }

  @Benchmark
  public Object invalidationArrives() throws Exception {
    return operation.run();
  }
}
