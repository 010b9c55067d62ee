package dev.ballast.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.TieredCache;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An L1 hit through the two-level cache against Caffeine's {@code getIfPresent} on the same 1,024 warm
 * keys: plain Caffeine (size bound only, as the budget names it), Caffeine with {@code expireAfterWrite}
 * (the same job as the cache's L1: size bound and expiry), Caffeine holding a value-and-deadline holder
 * checked against a volatile clock (the least an expiring L1 does), and an array lookup as the baseline.
 * Budget: ≤ 1.3 × Caffeine {@code getIfPresent}, 0 B/op. The L1 hit path does not touch Redis, so the
 * cache here is L1-only; with Redis the hit path is the same code.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheL1HitBenchmark {

  private static final int KEYS = 1024;
  private static final Loader<String, String> LOADER = key -> "value-" + key;

  @Param({"baseline", "ballast", "caffeine", "caffeine-expiring", "caffeine-holder"})
  public String contender;

  private static volatile long clock;

  private record Holder(String value, long until) {}

  private final String[] keys = new String[KEYS];
  private int next;
  private Operation operation;
  private TieredCache<String, String> tiered;

  @Setup
  public void setUp() {
    String[] values = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
      values[i] = "value-" + i;
    }
    operation = switch (contender) {
      case "baseline" -> () -> values[next++ & (KEYS - 1)];
      case "ballast" -> {
        tiered = TieredCache.builder("bench", Codec.utf8(), Codec.utf8()).ttl(Duration.ofHours(1)).build();
        for (String key : keys) {
          tiered.get(key, LOADER);
        }
        TieredCache<String, String> cache = tiered;
        yield () -> cache.get(keys[next++ & (KEYS - 1)], LOADER);
      }
      case "caffeine" -> {
        Cache<String, String> cache = Caffeine.newBuilder().maximumSize(10_000).build();
        fill(cache, values);
        yield () -> cache.getIfPresent(keys[next++ & (KEYS - 1)]);
      }
      case "caffeine-expiring" -> {
        Cache<String, String> cache = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofHours(1)).build();
        fill(cache, values);
        yield () -> cache.getIfPresent(keys[next++ & (KEYS - 1)]);
      }
      case "caffeine-holder" -> {
        // What any expiring L1 must do at least: look up, dereference a holder, compare with a clock.
        Cache<String, Holder> cache = Caffeine.newBuilder().maximumSize(10_000).build();
        for (int i = 0; i < KEYS; i++) {
          cache.put(keys[i], new Holder(values[i], Long.MAX_VALUE));
        }
        yield () -> {
          Holder holder = cache.getIfPresent(keys[next++ & (KEYS - 1)]);
          return holder != null && clock - holder.until < 0 ? holder.value : null;
        };
      }
      default -> throw new IllegalArgumentException(contender);
    };
  }

  private void fill(Cache<String, String> cache, String[] values) {
    for (int i = 0; i < KEYS; i++) {
      cache.put(keys[i], values[i]);
    }
  }

  @TearDown
  public void tearDown() {
    if (tiered != null) {
      tiered.close();
    }
  }

  @Benchmark
  public Object hit() throws Exception {
    return operation.run();
  }
}
