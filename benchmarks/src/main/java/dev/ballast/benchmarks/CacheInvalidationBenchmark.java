package dev.ballast.benchmarks;

import dev.ballast.cache.Codec;
import dev.ballast.cache.TieredCache;
import dev.ballast.core.Ticker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
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
 * From an invalidation on one instance to its arrival at another (sampled, for p99): the cache's
 * {@code invalidate} (a {@code DEL} of value and lease, then a message on the cache's channel) until the
 * other instance has evicted the key, against a raw {@code DEL} plus {@code PUBLISH} until a plain Lettuce
 * subscriber has the message. Two Lettuce clients, one local Redis ({@code REDIS_URL}, else
 * {@code redis-server} from {@code PATH}). Budget: p99 within 0.5 ms of the raw message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CacheInvalidationBenchmark {

  @Param({"raw-pubsub", "ballast", "ballast-nanotime"})
  public String contender;

  private Process server;
  private RedisClient writerClient;
  private RedisClient readerClient;
  private TieredCache<String, String> writer;
  private TieredCache<String, String> reader;
  private StatefulRedisConnection<String, String> raw;
  private StatefulRedisPubSubConnection<String, String> subscriber;
  private Operation operation;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String url = System.getenv("REDIS_URL");
    if (url == null) {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--save", "", "--appendonly", "no",
          "--bind", "127.0.0.1").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      url = "redis://127.0.0.1:" + port;
    }
    writerClient = RedisClient.create(url);
    readerClient = RedisClient.create(url);
    raw = connectWhenUp(writerClient);
    switch (contender) {
      case "raw-pubsub" -> {
        AtomicLong received = new AtomicLong();
        subscriber = readerClient.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            received.incrementAndGet();
          }
        });
        subscriber.sync().subscribe("bench:channel");
        operation = () -> {
          long before = received.get();
          raw.sync().del("bench:{k}:v", "bench:{k}:l");
          raw.sync().publish("bench:channel", "0123456789abcdefKk");
          while (received.get() == before) {
            Thread.onSpinWait();
          }
          return before;
        };
      }
      case "ballast", "ballast-nanotime" -> {
        // "ballast" has the defaults, so its L1 hits read the coarse clock (a thread that samples nanoTime
        // every millisecond); "ballast-nanotime" reads nanoTime itself, no extra thread.
        Ticker ticker = contender.equals("ballast") ? Ticker.system() : System::nanoTime;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        writer = TieredCache.builder("bench-inv", Codec.utf8(), Codec.utf8()).redis(writerClient).ticker(ticker)
            .build();
        reader = TieredCache.builder("bench-inv", Codec.utf8(), Codec.utf8()).redis(readerClient).ticker(ticker)
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
      default -> throw new IllegalArgumentException(contender);
    }
  }

  private static StatefulRedisConnection<String, String> connectWhenUp(RedisClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return client.connect();
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50); // the server is starting; this is benchmark setup, not a test
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (writer != null) {
      writer.close();
      reader.close();
    }
    if (subscriber != null) {
      subscriber.close();
    }
    raw.close();
    writerClient.shutdown();
    readerClient.shutdown();
    if (server != null) {
      server.destroy();
    }
  }

  @Benchmark
  public Object invalidationArrives() throws Exception {
    return operation.run();
  }
}
