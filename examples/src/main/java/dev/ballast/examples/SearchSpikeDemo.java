package dev.ballast.examples;

import dev.ballast.core.ConcurrencyLimitExceededException;
import dev.ballast.core.ConcurrencyLimiter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storefront's uncached search on a bottleneck (a pool of 6 database "connections", about 20 ms a
 * query), through a 10x spike, without and with Ballast's adaptive {@link ConcurrencyLimiter} in front of
 * it. Each phase prints goodput (answers within the 300 ms deadline per second), errors (later than the
 * deadline, or no connection within the pool's 2 s timeout), shed calls and how long a refusal takes,
 * and the accepted calls' p95, measured from the moment each request arrived. At start the gradient
 * limiter pins its limit to 3 while it measures the unloaded latency (50 calls), so the first phase
 * sheds a few calls.
 *
 * <p>Run: {@code mvn -q -pl examples -am package -DskipTests && java -cp "examples/target/classes:$(cat
 * examples/target/classpath.txt)" dev.ballast.examples.SearchSpikeDemo} or from an IDE. Takes about a
 * minute.
 */
public final class SearchSpikeDemo {

  private static final int CONNECTIONS = 6;
  private static final long SERVICE_MEAN_MILLIS = 20;
  private static final long DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  /** Capacity: 6 connections / 20 ms = 300 searches per second; normal load is two thirds of it. */
  private static final int NORMAL_PER_SECOND = 200;
  private static final int SPIKE_PER_SECOND = 3_000;

  private SearchSpikeDemo() {}

  /** Runs both variants and prints their tables. */
  public static void main(String[] args) throws Exception {
    System.out.println("Uncached search on a pool of " + CONNECTIONS + " connections (capacity ~300/s), deadline 300 ms");
    run("without Ballast", null);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().name("search").limits(20, 3, 200).build();
    run("with @ConcurrencyLimit(\"search\")", limiter);
  }

  /** One phase's counts. */
  static final class PhaseCounts {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong shed = new AtomicLong();
    final List<Long> accepted = Collections.synchronizedList(new ArrayList<>());
    final List<Long> shedLatency = Collections.synchronizedList(new ArrayList<>());
  }

  private static void run(String title, ConcurrencyLimiter limiter) throws Exception {
    Semaphore pool = new Semaphore(CONNECTIONS, true);
    ExecutorService web = Executors.newFixedThreadPool(200); // the web tier's request threads
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    String[] names = {"normal (0.67x)", "spike (10x capacity)", "after (0.67x)"};
    int[] perSecond = {NORMAL_PER_SECOND, SPIKE_PER_SECOND, NORMAL_PER_SECOND};
    int[] seconds = {5, 10, 10};
    PhaseCounts[] phases = new PhaseCounts[names.length];
    long[] offered = new long[names.length];
    String[] limits = new String[names.length];
    try {
      for (int phase = 0; phase < names.length; phase++) {
        PhaseCounts counts = new PhaseCounts();
        phases[phase] = counts;
        AtomicLong sent = new AtomicLong();
        int perTick = perSecond[phase] / 100;
        ScheduledFuture<?> ticks = clock.scheduleAtFixedRate(() -> {
          for (int i = 0; i < perTick; i++) {
            long scheduled = System.nanoTime();
            sent.incrementAndGet();
            web.execute(() -> search(pool, limiter, scheduled, counts));
          }
        }, 0, 10, TimeUnit.MILLISECONDS);
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds[phase]));
        ticks.cancel(false);
        offered[phase] = sent.get();
        limits[phase] = limiter == null ? "-" : String.valueOf(limiter.limit());
      }
    } finally {
      clock.shutdownNow();
      web.shutdown();
      if (!web.awaitTermination(2, TimeUnit.MINUTES)) {
        web.shutdownNow();
      }
    }
    System.out.printf("%n%s%n%-22s %9s %9s %8s %8s %14s %12s %6s%n", title, "phase", "offered", "goodput/s",
        "errors", "shed", "accepted p95", "refusal p99", "limit");
    for (int phase = 0; phase < names.length; phase++) {
      PhaseCounts counts = phases[phase];
      System.out.printf(Locale.ROOT, "%-22s %9d %9.0f %8d %8d %11.0f ms %9.1f ms %6s%n", names[phase], offered[phase],
          counts.ok.get() / (double) seconds[phase], counts.errors.get(), counts.shed.get(),
          percentile(counts.accepted, 0.95), percentile(counts.shedLatency, 0.99), limits[phase]);
    }
  }

  private static void search(Semaphore pool, ConcurrencyLimiter limiter, long scheduled, PhaseCounts counts) {
    if (System.nanoTime() - scheduled > DEADLINE_NANOS) {
      // The client gave up while the request waited for a web thread: an error, and no query is run for it
      // (which spares the unprotected run a backlog it would really have to work through).
      counts.errors.incrementAndGet();
      return;
    }
    long started = System.nanoTime();
    try {
      if (limiter == null) {
        query(pool);
      } else {
        limiter.call(() -> {
          query(pool);
          return null;
        });
      }
      long latency = System.nanoTime() - scheduled;
      counts.accepted.add(latency);
      (latency <= DEADLINE_NANOS ? counts.ok : counts.errors).incrementAndGet();
    } catch (ConcurrencyLimitExceededException shed) {
      counts.shed.incrementAndGet();
      // How long the refusal itself took; the time the request queued for a web thread before is the web
      // tier's, and on a loaded machine it dwarfs this.
      counts.shedLatency.add(System.nanoTime() - started);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      counts.errors.incrementAndGet();
    }
  }

  /** The database: a connection from the pool (2 s timeout, as HikariCP's), then the query's work. */
  private static void query(Semaphore pool) throws Exception {
    if (!pool.tryAcquire(2, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no connection within 2 s");
    }
    try {
      double jitter = Math.exp(0.3 * ThreadLocalRandom.current().nextGaussian() - 0.045);
      Thread.sleep(Math.max(1, Math.round(SERVICE_MEAN_MILLIS * jitter)));
    } finally {
      pool.release();
    }
  }

  private static double percentile(List<Long> nanos, double p) {
    List<Long> sorted;
    synchronized (nanos) {
      sorted = new ArrayList<>(nanos);
    }
    if (sorted.isEmpty()) {
      return 0;
    }
    Collections.sort(sorted);
    return sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * p)) / 1e6;
  }
}
