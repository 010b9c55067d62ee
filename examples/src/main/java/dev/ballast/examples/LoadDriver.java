package dev.ballast.examples;

import java.time.Duration;
import dev.ballast.core.ConcurrencyLimitExceededException;
import dev.ballast.degradation.ReadOnlyModeException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Offers load open loop: requests are scheduled at a fixed rate whatever the service does, sent to the
 * instances in turn, and run on a bounded pool of client threads. Latency is measured from each
 * request's scheduled start, so a request that waited for a free client thread because the service was
 * slow counts that wait (no coordinated omission). A response after the deadline is an error.
 *
 * <p>One thread calls {@link #drive}; the client threads record into the {@link Timeline}.
 */
final class LoadDriver implements AutoCloseable {

  private final ThreadPoolExecutor clients;
  private final long deadlineNanos;
  private final Traffic traffic = new Traffic();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong orders = new AtomicLong();
  private final String orderPrefix;

  LoadDriver(int threads, Duration deadline, String orderPrefix) {
    AtomicInteger count = new AtomicInteger();
    this.clients = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
        runnable -> {
          Thread thread = new Thread(runnable, "client-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    this.clients.prestartAllCoreThreads();
    this.deadlineNanos = deadline.toNanos();
    this.orderPrefix = orderPrefix;
  }

  /**
   * Offers {@code phase}'s load from {@code startNanos} for its duration and returns at its end (without
   * waiting for the requests still running).
   *
   * @param timeline where requests are recorded, or null not to record (warm-up)
   * @param phaseIndex the phase's index in the timeline
   * @return the phase's end, in {@link System#nanoTime()} terms: the next phase's start
   */
  long drive(Phase phase, long startNanos, List<Storefront> instances, Timeline timeline, int phaseIndex) {
    long end = startNanos + phase.duration().toNanos();
    int rate = phase.requestsPerSecond();
    for (long k = 0; ; k++) {
      // From the start, not from the previous request, so rounding never drifts the rate.
      long scheduled = startNanos + k * 1_000_000_000L / rate;
      if (scheduled >= end) {
        break;
      }
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      submit(k, scheduled, instances.get((int) (k % instances.size())), timeline, phaseIndex);
    }
    long rest = end - System.nanoTime();
    if (rest > 0) {
      LockSupport.parkNanos(rest);
    }
    return end;
  }

  private void submit(long index, long scheduled, Storefront instance, Timeline timeline, int phaseIndex) {
    Traffic.Kind kind = traffic.nextKind(index, ThreadLocalRandom.current());
    String orderId = orderPrefix + orders.incrementAndGet();
    inFlight.incrementAndGet();
    if (timeline != null && kind != Traffic.Kind.SEARCH) {
      timeline.scheduled(scheduled);
    }
    clients.execute(() -> {
      try {
        call(scheduled, kind, instance, orderId, timeline, phaseIndex);
      } finally {
        inFlight.decrementAndGet();
      }
    });
  }

  private void call(long scheduled, Traffic.Kind kind, Storefront instance, String orderId, Timeline timeline,
      int phaseIndex) {
    if (kind == Traffic.Kind.SEARCH) {
      search(scheduled, instance, timeline == null ? null : timeline.searches(phaseIndex));
      return;
    }
    Outcome outcome;
    String cause = null;
    try {
      outcome = traffic.execute(kind, instance, orderId);
    } catch (RuntimeException e) {
      outcome = Outcome.ERROR;
      cause = causeOf(e, kind);
    }
    long latency = System.nanoTime() - scheduled;
    if (latency > deadlineNanos && outcome != Outcome.ERROR) {
      outcome = Outcome.ERROR;
      cause = "over the " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos) + " ms deadline";
    }
    if (timeline != null) {
      timeline.record(phaseIndex, scheduled, latency, outcome, kind, cause);
    }
  }

  /** A search, recorded in its phase's {@link SearchSlice} (if recorded): answered, shed or failed. */
  private void search(long scheduled, Storefront instance, SearchSlice searches) {
    long started = System.nanoTime();
    try {
      traffic.execute(Traffic.Kind.SEARCH, instance, null);
      if (searches != null) {
        searches.answered(System.nanoTime() - scheduled, deadlineNanos);
      }
    } catch (ConcurrencyLimitExceededException shed) {
      if (searches != null) {
        long now = System.nanoTime();
        searches.shed(now - scheduled, now - started, shed.retryAfter().toNanos());
      }
    } catch (RuntimeException e) {
      if (searches != null) {
        searches.failed();
      }
    }
  }

  private static String causeOf(RuntimeException e, Traffic.Kind kind) {
    // Messages of database errors are fixed phrases; others name keys or ids, so only the type is kept.
    if (e instanceof DatabaseException) {
      return e.getMessage();
    }
    if (e instanceof ReadOnlyModeException) {
      // A write read-only mode refused and nothing deferred: none in this demo (every write has a fallback).
      return e.getClass().getSimpleName() + " (" + kind.name().toLowerCase(Locale.ROOT) + ")";
    }
    return e.getClass().getSimpleName();
  }

  /** Waits until every request sent has finished, at most {@code timeout}; returns whether they did. */
  boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return true;
  }

  @Override
  public void close() {
    clients.shutdownNow();
  }
}
