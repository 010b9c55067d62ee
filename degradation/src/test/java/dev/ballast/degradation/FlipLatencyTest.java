package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Measures how long a flip on one instance takes to reach another on loopback, from the call to
 * {@code set} to the other instance's listener, next to a raw Lettuce pub/sub message and a bare call of
 * the write script in the same run.
 * Prints the figures; asserts only that every flip arrived, and a generous bound.
 */
@ExtendWith(RedisExtension.class)
class FlipLatencyTest {

  private static final int WARMUP = 2_000; // enough for the JIT to compile the apply path
  private static final int FLIPS = Integer.getInteger("flips", 1_000);

  @Test
  void aFlipReachesAnotherInstanceWithinMillisecondsOnLoopback(RedisServer server) throws Exception {
    RedisClient client = server.newClient();
    try (Switchboard a = Switchboard.builder().name("latency").redis(client).instanceId("a").manualSchedule().build();
        Switchboard b = Switchboard.builder().name("latency").redis(client).instanceId("b").manualSchedule().build()) {
      BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
      b.addListener(c -> arrivals.add(System.nanoTime()));
      long[] flips = new long[FLIPS];
      for (int i = 0; i < WARMUP + FLIPS; i++) {
        long start = System.nanoTime();
        Reason reason = new Reason("bench", "flip " + (i % 2));
        if (i % 2 == 0) {
          a.degrade(SwitchName.SERVE_CACHED, reason);
        } else {
          a.restore(SwitchName.SERVE_CACHED, reason);
        }
        Long arrived = arrivals.poll(5, TimeUnit.SECONDS);
        assertThat(arrived).as("flip %d reached b", i).isNotNull();
        if (i >= WARMUP) {
          flips[i - WARMUP] = arrived - start;
        }
      }
      long[] raw = rawPubSub(client);
      long[] script = rawScript(client);
      report("switchboard flip", flips);
      report("raw PUBLISH", raw);
      report("raw EVALSHA", script);
      assertThat(percentile(flips, 50)).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
    } finally {
      client.shutdown();
    }
  }

  /** The same trip for a bare PUBLISH to a bare subscriber: the floor the switchboard adds to. */
  private static long[] rawPubSub(RedisClient client) throws InterruptedException {
    BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
    StatefulRedisConnection<String, String> pub = client.connect();
    try {
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          arrivals.add(System.nanoTime());
        }
      });
      sub.sync().subscribe("latency-raw");
      long[] trips = new long[FLIPS];
      for (int i = 0; i < WARMUP + FLIPS; i++) {
        long start = System.nanoTime();
        pub.sync().publish("latency-raw", "1|2|set|switch:serve-cached|1700000000000|bench|flip|serve-cached=1");
        Long arrived = arrivals.poll(5, TimeUnit.SECONDS);
        assertThat(arrived).isNotNull();
        if (i >= WARMUP) {
          trips[i - WARMUP] = arrived - start;
        }
      }
      return trips;
    } finally {
      sub.close();
      pub.close();
    }
  }

  /** The round trip of the switchboard's write script alone, by a bare synchronous EVALSHA. */
  private static long[] rawScript(RedisClient client) throws Exception {
    try (StatefulRedisConnection<String, String> connection = client.connect();
        java.io.InputStream in = FlipLatencyTest.class.getResourceAsStream("/dev/ballast/degradation/internal/apply.lua")) {
      var redis = connection.sync();
      String sha = redis.scriptLoad(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      long[] trips = new long[FLIPS];
      for (int i = 0; i < WARMUP + FLIPS; i++) {
        long start = System.nanoTime();
        redis.evalsha(sha, io.lettuce.core.ScriptOutputType.MULTI,
            new String[] {"latency-raw-script", "latency-raw-script:leases", "latency-raw-script:clocks"}, "latency-raw",
            "set", "switch:serve-cached", "bench|flip|serve-cached=" + (i % 2), "0", String.format("%019d@bench", i + 1));
        if (i >= WARMUP) {
          trips[i - WARMUP] = System.nanoTime() - start;
        }
      }
      return trips;
    }
  }

  private static void report(String what, long[] nanos) {
    // Test output, not library logging: the figures are what this test is for.
    System.out.printf(Locale.ROOT, "%-17s n=%d  median %.3f ms  p99 %.3f ms  max %.3f ms%n", what, nanos.length,
        percentile(nanos, 50) / 1e6, percentile(nanos, 99) / 1e6, percentile(nanos, 100) / 1e6);
  }

  private static long percentile(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
