package dev.ballast.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.TieredCacheBuilder;
import dev.ballast.cache.internal.L1HitFloor;
import dev.ballast.core.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * keys, each contender in its own forks (issue 17):
 * <ul>
 *   <li>{@code ballast}: the cache without a {@code MeterRegistry} (nothing counts the hit);
 *       {@code ballast-metered}: with a {@code SimpleMeterRegistry} (the hit counter is paid);
 *   <li>{@code floor}: Caffeine holding the cache's own {@code L1Entry}, checked against the cache's own
 *       coarse clock ({@link L1HitFloor}): the least an expiring L1 of this design does. Goal: ballast
 *       within 10 % of it;
 *   <li>{@code caffeine-expiring}: Caffeine {@code expireAfterWrite} with the same coarse clock as its
 *       ticker (the same job as the cache's L1: size bound and expiry). Goal: ballast ≤ 1.3 × it;
 *   <li>{@code caffeine}: plain Caffeine (size bound only, no expiry), and an array lookup as the baseline.
 * </ul>
 * 0 B/op for every contender. The L1 hit path does not touch Redis, so the cache here is L1-only; with
 * Redis the hit path is the same code.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheL1HitBenchmark {

  private static final int KEYS = 1024;
  private static final Loader<String, String> LOADER = key -> "value-" + key;

  @Param({"baseline", "ballast", "ballast-metered", "floor", "caffeine", "caffeine-expiring"})
  public String contender;

  private final String[] keys = new String[KEYS];
  private int next;
  private Operation operation;
  private TieredCache<String, String> tiered;
  private L1HitFloor floor;
  private boolean clockAcquired;

  @Setup
  public void setUp() {
    String[] values = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
      values[i] = "value-" + i;
    }
    operation = switch (contender) {
      case "baseline" -> () -> values[next++ & (KEYS - 1)];
      case "ballast", "ballast-metered" -> {
        TieredCacheBuilder<String, String> builder = TieredCache.builder("bench", Codec.utf8(), Codec.utf8())
            .ttl(Duration.ofHours(1));
        if (contender.equals("ballast-metered")) {
          builder.meterRegistry(new SimpleMeterRegistry());
        }
        tiered = builder.build();
        for (String key : keys) {
          tiered.get(key, LOADER);
        }
        TieredCache<String, String> cache = tiered;
        yield () -> cache.get(keys[next++ & (KEYS - 1)], LOADER);
      }
      case "floor" -> {
        L1HitFloor l1 = new L1HitFloor(keys, values);
        floor = l1;
        yield () -> l1.get(keys[next++ & (KEYS - 1)]);
      }
      case "caffeine" -> {
        Cache<String, String> cache = Caffeine.newBuilder().maximumSize(10_000).build();
        fill(cache, values);
        yield () -> cache.getIfPresent(keys[next++ & (KEYS - 1)]);
      }
      case "caffeine-expiring" -> {
        Ticker coarse = L1HitFloor.acquireClock();
        clockAcquired = true;
        Cache<String, String> cache = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofHours(1)).ticker(coarse::read).build();
        fill(cache, values);
        yield () -> cache.getIfPresent(keys[next++ & (KEYS - 1)]);
      }
      default -> throw new IllegalArgumentException(contender);
    };
    // Every contender's entries as a long-lived cache's are after a few collections: copied together.
    // Without it, entries filled through the cache's miss path lie among that path's garbage while a plain
    // fill packs them side by side, and the comparison measures the fill, not the lookup.
    System.gc();
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
    if (floor != null) {
      floor.close();
    }
    if (clockAcquired) {
      L1HitFloor.releaseClock();
    }
  }

  @Benchmark
  public Object hit() throws Exception {
    return operation.run();
  }
}
