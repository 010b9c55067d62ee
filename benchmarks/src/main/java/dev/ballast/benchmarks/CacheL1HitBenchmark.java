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
  private static final int BASELINE = 0;
  private static final int BALLAST = 1;
  private static final int FLOOR = 2;
  private static final int CAFFEINE = 3;

  @Param({"baseline", "ballast", "ballast-metered", "floor", "caffeine", "caffeine-expiring"})
  public String contender;

  private final String[] keys = new String[KEYS];
  private final String[] values = new String[KEYS];
  private int next;
  /** The contender as a constant of this fork: {@link #hit} takes one branch only, the others are never compiled. */
  private int kind;
  private TieredCache<String, String> tiered;
  private L1HitFloor floor;
  private Cache<String, String> caffeine;
  private boolean clockAcquired;

  @Setup
  public void setUp() {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
      values[i] = "value-" + i;
    }
    switch (contender) {
      case "baseline" -> kind = BASELINE;
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
        kind = BALLAST;
      }
      case "floor" -> {
        floor = new L1HitFloor(keys, values);
        kind = FLOOR;
      }
      case "caffeine" -> {
        caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
        fill(caffeine);
        kind = CAFFEINE;
      }
      case "caffeine-expiring" -> {
        Ticker coarse = L1HitFloor.acquireClock();
        clockAcquired = true;
        caffeine = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofHours(1)).ticker(coarse::read).build();
        fill(caffeine);
        kind = CAFFEINE;
      }
      default -> throw new IllegalArgumentException(contender);
    }
    // Every contender's entries as a long-lived cache's are after a few collections: copied together.
    // Without it, entries filled through the cache's miss path lie among that path's garbage while a plain
    // fill packs them side by side, and the comparison measures the fill, not the lookup.
    System.gc();
  }

  private void fill(Cache<String, String> cache) {
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

  /**
   * Each contender called directly from here, as an application calls its cache. Not through a lambda per
   * contender, as before: that lambda was compiled on its own, and whether it was inlined here depended on
   * its compiled size against C2's {@code InlineSmallCode} (2,500 bytes), which the contenders straddle
   * (2,496 to 2,976 bytes in one run): a nanosecond-sized call, paid by some and not others, run by run.
   */
  @Benchmark
  public Object hit() {
    int i = next++ & (KEYS - 1);
    switch (kind) {
      case BALLAST:
        return tiered.get(keys[i], LOADER);
      case FLOOR:
        return floor.get(keys[i]);
      case CAFFEINE:
        return caffeine.getIfPresent(keys[i]);
      default:
        return values[i];
    }
  }
}
