package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The threads a cache uses (docs/threads.md, cache-tiers): loaders run on {@code ballast-cache-loader-<n>}
 * daemon threads unless the builder was given an executor; the hit clock's sampler,
 * {@code ballast-cache-clock}, is a daemon started by {@code build()}.
 */
class ThreadsTest {

  @Test
  void asynchronousLoadsRunOnTheSharedLoaderPoolsDaemonThreads() throws Exception {
    try (TieredCache<String, String> cache = TieredCache.builder("threads-default", Codec.utf8(), Codec.utf8()).build()) {
      String[] thread = new String[1];
      boolean[] daemon = new boolean[1];
      cache.getAsyncWithBlockingLoader("k", key -> {
        thread[0] = Thread.currentThread().getName();
        daemon[0] = Thread.currentThread().isDaemon();
        return "v";
      }).get(10, TimeUnit.SECONDS);
      assertThat(thread[0]).startsWith("ballast-cache-loader-");
      assertThat(daemon[0]).isTrue();
    }
  }

  @Test
  void theBuildersExecutorReplacesTheLoaderPool() throws Exception {
    ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "application-loader"));
    try (TieredCache<String, String> cache = TieredCache.builder("threads-own", Codec.utf8(), Codec.utf8())
        .executor(mine).build()) {
      String[] thread = new String[1];
      cache.getAsyncWithBlockingLoader("k", key -> {
        thread[0] = Thread.currentThread().getName();
        return "v";
      }).get(10, TimeUnit.SECONDS);
      assertThat(thread[0]).isEqualTo("application-loader");
    } finally {
      mine.shutdown();
      assertThat(mine.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * Checked right after {@code build()}, before any read. (Another cache open in the same JVM keeps the shared
   * clock's thread alive too, so this proves what an open cache has, not which cache started it.)
   */
  @Test
  void anOpenCacheHasTheHitClocksNamedDaemonThread() {
    try (TieredCache<String, String> cache = TieredCache.builder("threads-clock", Codec.utf8(), Codec.utf8())
        .l1Ttl(Duration.ofMinutes(1)).build()) {
      assertThat(Thread.getAllStackTraces().keySet())
          .anySatisfy(t -> {
            assertThat(t.getName()).isEqualTo("ballast-cache-clock");
            assertThat(t.isDaemon()).isTrue();
          });
      assertThat(cache.get("k", key -> "v")).isEqualTo("v");
    }
  }
}
