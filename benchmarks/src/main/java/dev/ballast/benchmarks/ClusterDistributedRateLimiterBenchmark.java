package dev.ballast.benchmarks;

import dev.ballast.core.Rate;
import dev.ballast.redis.RedisScript;
import dev.ballast.redis.ratelimit.DistributedRateLimiter;
import dev.ballast.testsupport.RedisCluster;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
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
 * {@link DistributedRateLimiterBenchmark} on a local Redis Cluster (test-support's {@link RedisCluster}, the
 * {@code redis-server} on {@code PATH}): one fleet-wide permit of a {@link DistributedRateLimiter} built on a
 * {@link RedisClusterClient} (one {@code EVALSHA} of the GCRA script, routed to the master of the limiter's
 * slot) against a raw Lettuce cluster {@code EVALSHA} of a trivial script on a key in the same slot (same
 * master). The bucket never refuses, so every call does the full read-modify-write. Sampled, for the tails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterDistributedRateLimiterBenchmark {

  @Param({"lettuce-evalsha", "ballast"})
  public String contender;

  private RedisCluster cluster;
  private RedisClusterClient client;
  private StatefulRedisClusterConnection<String, String> connection;
  private DistributedRateLimiter limiter;
  private Operation operation;

  @Setup(Level.Trial)
  public void setUp() {
    cluster = RedisCluster.launch();
    client = cluster.newClient();
    switch (contender) {
      case "lettuce-evalsha" -> {
        connection = client.connect();
        RedisAdvancedClusterCommands<String, String> sync = connection.sync();
        RedisScript trivial = RedisScript.of("trivial", "return 1");
        // The limiter "bench" keeps its bucket under the tag {ballast:limiter:bench}: same slot, same master.
        String[] keys = {"{ballast:limiter:bench}:trivial"};
        trivial.<String, String, Long>eval(sync, ScriptOutputType.INTEGER, keys); // loads it: EVALSHA from now on
        operation = () -> trivial.<String, String, Long>eval(sync, ScriptOutputType.INTEGER, keys);
      }
      case "ballast" -> {
        limiter = DistributedRateLimiter.builder().name("bench").rate(Rate.of(1_000_000_000L, Duration.ofSeconds(1)))
            .redis(client).redisTimeout(Duration.ofSeconds(2)).build();
        operation = () -> limiter.tryAcquireOrNanosToWait(1);
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (limiter != null) {
      limiter.close();
    }
    if (connection != null) {
      connection.close();
    }
    client.shutdown();
    cluster.close();
  }

  @Benchmark
  public Object acquire() throws Exception {
    return operation.run();
  }
}
