package dev.ballast.benchmarks;

import dev.ballast.cache.Codec;
import dev.ballast.cache.Loader;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
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
 * What the annotation wiring costs: a {@code @Cached} L1 hit through the {@link Wrapper} proxy against the
 * same hit on the same {@link TieredCache} called directly, on 1,024 warm keys. {@code baseline} calls the
 * implementation with no cache at all (an array lookup), to show the floor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CachedProxyBenchmark {

  /** The annotated service; public because the proxy calls it from another module. */
  public interface Catalog {
    @Cached("bench")
    String product(String sku);
  }

  private static final int KEYS = 1024;

  @Param({"baseline", "direct", "proxy"})
  public String contender;

  private final String[] keys = new String[KEYS];
  private final String[] values = new String[KEYS];
  private int next;
  private TieredCache<String, String> cache;
  private Operation operation;

  @Setup
  public void setUp() {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
      values[i] = "value-" + i;
    }
    Catalog target = sku -> values[Integer.parseInt(sku.substring(4))];
    cache = TieredCache.builder("bench", Codec.utf8(), Codec.utf8()).ttl(Duration.ofHours(1)).build();
    Loader<String, String> loader = target::product;
    for (String key : keys) {
      cache.get(key, loader);
    }
    TieredCache<String, String> direct = cache;
    operation = switch (contender) {
      case "baseline" -> () -> values[next++ & (KEYS - 1)];
      case "direct" -> () -> direct.get(keys[next++ & (KEYS - 1)], loader);
      case "proxy" -> {
        Catalog wrapped = Wrapper.wrap(Catalog.class, target, Registry.builder().add("bench", cache).build());
        yield () -> wrapped.product(keys[next++ & (KEYS - 1)]);
      }
      default -> throw new IllegalArgumentException(contender);
    };
  }

  @TearDown
  public void tearDown() {
    cache.close();
  }

  @Benchmark
  public Object hit() throws Exception {
    return operation.run();
  }
}
