package dev.ballast.benchmarks;

import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.TieredCache;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
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
 * An L2 hit (L1 expired, value fresh in Redis) against a raw Lettuce {@code GET} of the same bytes (header
 * included), over one connection to a local Redis: {@code REDIS_URL} if set, else {@code redis-server} from
 * {@code PATH} on a free port. L1 entries live 1 ns (and the ticker is a plain {@code nanoTime}, not the
 * coarse hit clock), so L1 never answers: every read is one flight, one {@code GET}, a header parse and
 * an L1 store. Budget: ≤ 1.15 × the raw GET.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CacheL2HitBenchmark {

  private static final Loader<String, byte[]> LOADER = key -> new byte[100];

  @Param({"lettuce", "ballast"})
  public String contender;

  private Process server;
  private RedisClient client;
  private StatefulRedisConnection<byte[], byte[]> connection;
  private TieredCache<String, byte[]> cache;
  private Operation operation;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String url = System.getenv("REDIS_URL");
    if (url == null) {
      int port = freePort();
      server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--save", "",
          "--appendonly", "no", "--bind", "127.0.0.1").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      url = "redis://127.0.0.1:" + port;
    }
    client = RedisClient.create(url);
    connection = connectWhenUp(client);
    String key = "hot";
    cache = TieredCache.builder("bench-l2", Codec.utf8(), Codec.bytes()).redis(client)
        .ticker(System::nanoTime).l1Ttl(Duration.ofNanos(1)).ttl(Duration.ofHours(1)).build();
    cache.get(key, LOADER);
    byte[] redisKey = "ballast:cache:bench-l2:{hot}:v".getBytes(StandardCharsets.UTF_8);
    if (connection.sync().get(redisKey) == null) {
      throw new IllegalStateException("the cache did not write " + Arrays.toString(redisKey));
    }
    operation = switch (contender) {
      case "lettuce" -> () -> connection.sync().get(redisKey);
      case "ballast" -> () -> cache.get(key, LOADER);
      default -> throw new IllegalArgumentException(contender);
    };
  }

  private static StatefulRedisConnection<byte[], byte[]> connectWhenUp(RedisClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return client.connect(ByteArrayCodec.INSTANCE);
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50); // the server is starting; this is benchmark setup, not a test
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cache.close();
    connection.close();
    client.shutdown();
    if (server != null) {
      server.destroy();
    }
  }

  @Benchmark
  public Object l2Hit() throws Exception {
    return operation.run();
  }
}
