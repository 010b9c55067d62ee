package dev.ballast.examples;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Latencies and outcomes of the requests scheduled in one slice of a run (one second, or one phase),
 * recorded by many client threads. Latency is measured from the request's scheduled start, so time
 * spent queued behind a slow service counts (no coordinated omission). Thread-safe: a synchronized
 * histogram (microseconds, 2 significant digits, up to a minute) and adders.
 */
final class Slice {

  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);

  private final SynchronizedHistogram micros = new SynchronizedHistogram(MAX_MICROS, 2);
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder degraded = new LongAdder();
  private final LongAdder productReads = new LongAdder();
  private final LongAdder productReadsAnswered = new LongAdder();
  private final Map<String, LongAdder> errorCauses = new ConcurrentHashMap<>();

  void record(long latencyNanos, Outcome outcome, Traffic.Kind kind, String errorCause) {
    micros.recordValue(Math.min(MAX_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos))));
    requests.increment();
    if (kind == Traffic.Kind.PRODUCT) {
      productReads.increment();
      if (outcome != Outcome.ERROR) {
        productReadsAnswered.increment();
      }
    }
    if (outcome == Outcome.ERROR) {
      errors.increment();
      errorCauses.computeIfAbsent(errorCause, c -> new LongAdder()).increment();
    } else if (outcome == Outcome.DEGRADED) {
      degraded.increment();
    }
  }

  long requests() {
    return requests.sum();
  }

  long productReads() {
    return productReads.sum();
  }

  /** Product reads answered in time (not errors). */
  long productReadsAnswered() {
    return productReadsAnswered.sum();
  }

  double errorRatio() {
    long n = requests.sum();
    return n == 0 ? 0 : (double) errors.sum() / n;
  }

  double degradedRatio() {
    long n = requests.sum();
    return n == 0 ? 0 : (double) degraded.sum() / n;
  }

  /** The latency at {@code percentile} (0..100) in milliseconds; 0 when empty. */
  double percentileMillis(double percentile) {
    return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Errors by cause (exception class and message, or "deadline"), most frequent first. */
  Map<String, Long> errorCauses() {
    Map<String, Long> sorted = new LinkedHashMap<>();
    errorCauses.entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<String, LongAdder> e) -> e.getValue().sum()).reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue().sum()));
    return sorted;
  }
}
