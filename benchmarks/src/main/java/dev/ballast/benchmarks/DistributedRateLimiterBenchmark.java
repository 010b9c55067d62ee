package dev.ballast.benchmarks;

import dev.ballast.core.Rate;
import dev.ballast.redis.RedisScript;
import dev.ballast.redis.ratelimit.DistributedRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
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
 * One fleet-wide permit: Ballast's {@link DistributedRateLimiter} (one {@code EVALSHA} of the GCRA
 * script) against the baseline, a raw {@code EVALSHA} of a trivial script on the same Redis (budget:
 * ballast at most 1.1 × baseline) and Bucket4j's Lettuce proxy manager (compare-and-swap based, as
 * Bucket4j recommends for Redis; budget: ballast faster). Redis: {@code REDIS_URL}, else {@code redis-server} from {@code PATH}.
 * The bucket is large enough never to refuse, so every call does the full read-modify-write.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DistributedRateLimiterBenchmark {

  @Param({"baseline", "ballast", "bucket4j"})
  public String contender;

  private LocalRedis redis;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private StatefulRedisConnection<byte[], byte[]> bytesConnection;
  private DistributedRateLimiter limiter;
  private Operation operation;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    redis = LocalRedis.start();
    client = RedisClient.create(redis.uri());
    switch (contender) {
      case "baseline" -> {
        connection = client.connect();
        RedisCommands<String, String> sync = connection.sync();
        RedisScript trivial = RedisScript.of("trivial", "return 1");
        String[] keys = {"{bench}:trivial"};
        operation = () -> trivial.<String, String, Long>eval(sync, ScriptOutputType.INTEGER, keys);
      }
      case "ballast" -> {
        limiter = DistributedRateLimiter.builder().name("bench").rate(Rate.of(1_000_000_000L, Duration.ofSeconds(1)))
            .redis(client).redisTimeout(Duration.ofSeconds(2)).build();
        operation = () -> limiter.tryAcquireOrNanosToWait(1);
      }
      case "bucket4j" -> {
        bytesConnection = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE);
        io.github.bucket4j.distributed.proxy.ProxyManager<byte[]> proxies =
            io.github.bucket4j.redis.lettuce.Bucket4jLettuce.casBasedBuilder(bytesConnection)
                .expirationAfterWrite(io.github.bucket4j.distributed.ExpirationAfterWriteStrategy
                    .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build();
        io.github.bucket4j.BucketConfiguration configuration = io.github.bucket4j.BucketConfiguration.builder()
            .addLimit(io.github.bucket4j.Bandwidth.builder().capacity(1_000_000_000L)
                .refillGreedy(1_000_000_000L, Duration.ofSeconds(1)).build())
            .build();
        io.github.bucket4j.Bucket bucket = proxies.builder()
            .build("{bench}:bucket4j".getBytes(java.nio.charset.StandardCharsets.UTF_8), configuration);
        operation = () -> bucket.tryConsume(1);
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
    if (bytesConnection != null) {
      bytesConnection.close();
    }
    client.shutdown();
    redis.close();
  }

  @Benchmark
  public Object acquire() throws Exception {
    return operation.run();
  }
}
