package dev.ballast.cache;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of cache instances under load while the test fails Redis over: one reader thread per instance
 * ({@code get}, and on the first instance every tenth read a {@code getAll} of every key, which spans
 * slots on a cluster), one writer putting new versions through the instances in turn. It records every
 * caller exception and every read and write, and checks the staleness bound on that history: no read that
 * began more than {@code bound} after a write was acknowledged ({@link WriteResult#APPLIED}) returned an
 * older version of the key. Writes Redis did not take ({@code DEFERRED}) are counted, not checked: their
 * bound counts from when Redis answers again (README, "Staleness per state").
 *
 * <p>Public (in the module's test jar) for the examples' combined failover test.
 *
 * <p>Writes pause for a moment around the kill: Redis replicates asynchronously, so a write acknowledged
 * by a master an instant before it dies can be lost with it, which is Redis's failover semantics, not the
 * cache's; {@link #lostWrites} measures what was lost anyway.
 */
public final class FailoverRun {

  /** One read as its caller saw it. */
  public record Read(String key, long version, long start) {}

  /** One acknowledged write. */
  public record Write(String key, long version, long applied) {}

  private final List<TieredCache<String, String>> caches;
  private final List<String> keys;
  private final Map<String, AtomicLong> origin = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
  public final ConcurrentLinkedQueue<Throwable> exceptions = new ConcurrentLinkedQueue<>();
  public final AtomicInteger deferred = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean writesPaused = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  /** The key every other single read and every other write goes to; null: all keys alike. */
  private final String hot;

  public FailoverRun(List<TieredCache<String, String>> caches, List<String> keys) {
    this(caches, keys, null);
  }

  /** A run where half the single reads and half the writes go to {@code hot} (one of {@code keys}). */
  public FailoverRun(List<TieredCache<String, String>> caches, List<String> keys, String hot) {
    if (hot != null && !keys.contains(hot)) {
      throw new IllegalArgumentException("the hot key " + hot + " is not one of " + keys);
    }
    this.caches = caches;
    this.keys = keys;
    this.hot = hot;
    keys.forEach(k -> origin.put(k, new AtomicLong()));
  }

  private String load(String key) {
    return key + "#L#" + origin.get(key).get(); // L: loaded (a fill), P: put, for a reader of Redis's contents
  }

  private static long version(String value) {
    return Long.parseLong(value.substring(value.lastIndexOf('#') + 1));
  }

  /** Starts the readers and the writer; returns once both have done some work. */
  public void start() {
    for (int i = 0; i < caches.size(); i++) {
      TieredCache<String, String> cache = caches.get(i);
      boolean bulk = i == 0;
      threads.add(new Thread(() -> read(cache, bulk), "failover-reader-" + i));
    }
    threads.add(new Thread(this::write, "failover-writer"));
    threads.forEach(Thread::start);
    await().atMost(Duration.ofSeconds(30)).until(() -> reads.size() > 200 && writes.size() > 10);
  }

  private void read(TieredCache<String, String> cache, boolean bulk) {
    int n = 0;
    while (running.get()) {
      try {
        if (bulk && ++n % 10 == 0) {
          long start = System.nanoTime();
          Map<String, String> all = cache.getAll(keys, missing -> {
            Map<String, String> loaded = new HashMap<>();
            missing.forEach(k -> loaded.put(k, load(k)));
            return loaded;
          });
          all.forEach((k, v) -> reads.add(new Read(k, version(v), start)));
        } else {
          String key = hot != null && n % 2 == 0 ? hot : keys.get(Math.floorMod(n * 7 + cache.hashCode(), keys.size()));
          n++;
          long start = System.nanoTime();
          reads.add(new Read(key, version(cache.get(key, this::load)), start));
        }
      } catch (Throwable e) {
        exceptions.add(e);
      }
      parkMillis(1); // about a thousand reads a second per instance: a history to check, not a CPU burner
    }
  }

  private void write() {
    int n = 0;
    while (running.get()) {
      if (!writesPaused.get()) {
        String key = hot != null && n % 2 == 0 ? hot : keys.get(n / (hot != null ? 2 : 1) % keys.size());
        long version = origin.get(key).incrementAndGet();
        try {
          WriteResult result = caches.get(n % caches.size()).put(key, key + "#P#" + version);
          if (result == WriteResult.APPLIED) {
            writes.add(new Write(key, version, System.nanoTime()));
          } else {
            deferred.incrementAndGet();
          }
        } catch (Throwable e) {
          exceptions.add(e);
        }
        n++;
      }
      parkMillis(20);
    }
  }

  /** Pauses the writer and waits until no write can still be in flight to Redis (a few replication round trips). */
  public void quietWrites() {
    writesPaused.set(true);
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> System.nanoTime() > until);
  }

  public void resumeWrites() {
    writesPaused.set(false);
  }

  /** Keeps the load going for {@code duration} (the history the check reads), then stops every thread. */
  public void runFor(Duration duration) throws InterruptedException {
    long until = System.nanoTime() + duration.toNanos();
    await().atMost(duration.plusSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> System.nanoTime() > until);
    running.set(false);
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  public int readCount() {
    return reads.size();
  }

  public int acknowledgedWrites() {
    return writes.size();
  }

  /** Reads that began more than {@code bound} after an acknowledged write of the key yet saw an older version. */
  public List<String> staleReads(Duration bound) {
    Map<String, List<Write>> byKey = new HashMap<>();
    writes.forEach(w -> byKey.computeIfAbsent(w.key(), k -> new ArrayList<>()).add(w));
    List<String> stale = new ArrayList<>();
    for (Read read : reads) {
      long required = -1;
      for (Write w : byKey.getOrDefault(read.key(), List.of())) {
        if (read.start() - (w.applied() + bound.toNanos()) > 0) {
          required = Math.max(required, w.version());
        }
      }
      if (read.version() < required) {
        stale.add(read.key() + ": read version " + read.version() + ", " + required + " acknowledged over " + bound
            + " before the read began");
      }
    }
    return stale;
  }

  /** Keys whose entry in Redis (read with {@code get}) is older than the last acknowledged write of it. */
  public List<String> lostWrites(java.util.function.Function<String, String> redisValue) {
    Map<String, Long> last = new HashMap<>();
    writes.forEach(w -> last.merge(w.key(), w.version(), Math::max));
    List<String> lost = new ArrayList<>();
    last.forEach((key, version) -> {
      String stored = redisValue.apply(key);
      if (stored != null && !stored.isEmpty() && version(stored) < version) {
        lost.add(key + ": Redis holds " + stored.substring(stored.indexOf(key + "#")) + ", " + version
            + " was acknowledged");
      }
    });
    return lost;
  }

  private static void parkMillis(long millis) {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
