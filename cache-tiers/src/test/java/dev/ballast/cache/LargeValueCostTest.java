package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a large value costs the cache's one Redis connection, measured on a real Redis; it prints a table
 * and asserts only that the bytes arrived intact (timings on a shared machine are not assertions). Run it:
 * {@code mvn -B -q -pl cache-tiers -am verify -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=LargeValueCostTest -Dballast.measure=true}. The numbers behind the {@code maxEncodedSize}
 * paragraph of the README.
 */
@EnabledIfSystemProperty(named = "ballast.measure", matches = "true")
class LargeValueCostTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final int[] SIZES = {64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 50 << 20};
  private static final int ROUNDS = 5;

  /**
   * On one connection (as the cache has), a small GET sent just after a large SET or GET waits for it:
   * Redis answers in order and the connection carries one command's bytes at a time.
   */
  @Test
  void aLargeValueDelaysTheSmallCallsBehindItOnTheSameConnection(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
        StatefulRedisConnection<byte[], byte[]> second = client.connect(ByteArrayCodec.INSTANCE)) {
      // The test client's 2 s is shorter than a 50 MiB SET here (set per connection: Lettuce 7 has no
      // client-wide default timeout any more).
      connection.setTimeout(Duration.ofSeconds(60));
      second.setTimeout(Duration.ofSeconds(60));
      RedisAsyncCommands<byte[], byte[]> redis = connection.async();
      byte[] small = bytes("small");
      redis.set(small, bytes("v")).get(5, TimeUnit.SECONDS);
      StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
          "%n| value | SET large (ms) | small GET behind it (ms) | small GET on another connection (ms) | GET large (ms) | small GET behind it (ms) |%n"
              + "| --- | --- | --- | --- | --- | --- |%n"));
      for (int size : SIZES) {
        byte[] value = new byte[size];
        Arrays.fill(value, (byte) 'x');
        value[size - 1] = 'y';
        byte[] key = bytes("large" + size);
        long[] setMs = new long[ROUNDS];
        long[] smallAfterSetMs = new long[ROUNDS];
        long[] smallBesideSetMs = new long[ROUNDS];
        long[] getMs = new long[ROUNDS];
        long[] smallAfterGetMs = new long[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
          long start = System.nanoTime();
          CompletableFuture<Long> set = redis.set(key, value).toCompletableFuture().thenApply(ok -> System.nanoTime());
          CompletableFuture<Long> behindSet = redis.get(small).toCompletableFuture().thenApply(v -> {
            assertThat(v).isEqualTo(bytes("v"));
            return System.nanoTime();
          });
          long besideStart = System.nanoTime();
          second.async().get(small).get(60, TimeUnit.SECONDS);
          smallBesideSetMs[round] = millis(System.nanoTime() - besideStart);
          setMs[round] = millis(set.get(60, TimeUnit.SECONDS) - start);
          smallAfterSetMs[round] = millis(behindSet.get(60, TimeUnit.SECONDS) - start);
          start = System.nanoTime();
          CompletableFuture<byte[]> get = redis.get(key).toCompletableFuture();
          long getStart = start;
          CompletableFuture<Long> getDone = get.thenApply(v -> System.nanoTime());
          CompletableFuture<Long> behindGet = redis.get(small).toCompletableFuture().thenApply(v -> System.nanoTime());
          getMs[round] = millis(getDone.get(60, TimeUnit.SECONDS) - getStart);
          smallAfterGetMs[round] = millis(behindGet.get(60, TimeUnit.SECONDS) - getStart);
          assertThat(get.get()).hasSize(size).endsWith((byte) 'y');
        }
        table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", size(size), range(setMs),
            range(smallAfterSetMs), range(smallBesideSetMs), range(getMs), range(smallAfterGetMs)));
        redis.del(key).get(5, TimeUnit.SECONDS);
      }
      System.out.print(table); // a measurement: the table is the result
    } finally {
      client.shutdown();
    }
  }

  /**
   * Through the cache with the default {@code redisTimeout} (250 ms): a put of a large value (allowed by
   * a raised {@code maxEncodedSize}) while another thread reads small keys from Redis.
   */
  @Test
  void aLargePutThroughTheCacheAndTheSmallReadsBesideIt(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "%n| value put | put took (ms) | small L2 reads during it | slowest read (ms) | Redis errors | outages (breaker opened) |%n"
            + "| --- | --- | --- | --- | --- | --- |%n"));
    try {
      for (int size : new int[] {1 << 20, 4 << 20, 16 << 20, 50 << 20}) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TieredCache<String, byte[]> cache = TieredCache.builder("large" + size, Codec.utf8(), Codec.bytes())
            .redis(client).maxEncodedSize(64 << 20).l1MaximumSize(0).meterRegistry(registry).build()) {
          byte[] smallValue = bytes("v");
          cache.put("small", smallValue);
          byte[] value = new byte[size];
          Arrays.fill(value, (byte) 'x');
          long start = System.nanoTime();
          Future<Long> put = writer.submit(() -> {
            cache.put("large", value);
            return System.nanoTime();
          });
          List<Long> reads = new ArrayList<>();
          while (!put.isDone()) {
            long readStart = System.nanoTime();
            assertThat(cache.get("small", k -> smallValue)).isEqualTo(smallValue);
            reads.add(System.nanoTime() - readStart);
          }
          long putMs = millis(put.get(60, TimeUnit.SECONDS) - start);
          long slowest = reads.stream().mapToLong(Long::longValue).max().orElse(0);
          table.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.0f |%n", size(size), putMs,
              reads.size(), millis(slowest), count(registry, "ballast.redis.errors"),
              count(registry, "ballast.redis.outages")));
        }
      }
      System.out.print(table);
    } finally {
      writer.shutdownNow();
      assertThat(writer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      client.shutdown();
    }
  }

  private static double count(SimpleMeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static String range(long[] millis) {
    long[] sorted = millis.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] + " (" + sorted[0] + "–" + sorted[sorted.length - 1] + ")";
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }

  private static String size(int bytes) {
    return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
