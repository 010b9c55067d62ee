package dev.ballast.benchmarks;

import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.TieredCache;
import dev.ballast.testsupport.RedisCluster;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * {@link CacheL2HitBenchmark} on a local Redis Cluster (test-support's {@link RedisCluster}: 3 masters + 3
 * replicas, the {@code redis-server} on {@code PATH}): an L2 hit of a {@link TieredCache} built on a {@link
 * RedisClusterClient} against a raw Lettuce cluster {@code GET} of the same key (value and header, 100
 * bytes) on a cluster connection of the same kind of client. L1 entries live 1 ns, so every read is one
 * {@code GET} routed to the key's master, a header parse and an L1 store. Sampled, for the tails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterCacheL2HitBenchmark {

  private static final Loader<String, byte[]> LOADER = key -> new byte[100];

  @Param({"lettuce-get", "ballast"})
  public String contender;

  private RedisCluster cluster;
  private RedisClusterClient client;
  private StatefulRedisClusterConnection<byte[], byte[]> connection;
  private TieredCache<String, byte[]> cache;
  private Operation operation;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    cluster = RedisCluster.launch();
    client = cluster.newClient();
    connection = client.connect(ByteArrayCodec.INSTANCE);
    String key = "hot";
    // Both contenders fill the key through the cache, so they read the same bytes from the same master.
    cache = TieredCache.builder("bench-l2", Codec.utf8(), Codec.bytes()).redis(client)
        .ticker(System::nanoTime).l1Ttl(Duration.ofNanos(1)).ttl(Duration.ofHours(1)).build();
    cache.get(key, LOADER);
    byte[] redisKey = "ballast:cache:bench-l2:{hot}:v".getBytes(StandardCharsets.UTF_8);
    if (connection.sync().get(redisKey) == null) {
      throw new IllegalStateException("the cache did not write ballast:cache:bench-l2:{hot}:v");
    }
    operation = switch (contender) {
      case "lettuce-get" -> () -> connection.sync().get(redisKey);
      case "ballast" -> () -> cache.get(key, LOADER);
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    };
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cache.close();
    connection.close();
    client.shutdown();
    cluster.close();
  }

  @Benchmark
  public Object l2Hit() throws Exception {
    return operation.run();
  }
}
