package dev.ballast.examples;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * The searches scheduled in one phase of a run, recorded by many client threads: answered (with their
 * latency), failed, and shed (refused by the concurrency limiter, with how long the refusal took and the
 * retry-after hint it carried). Latencies are from each request's scheduled start, as every figure of the
 * demo. Searches are kept apart from the storefront's {@link Slice}s: a shed search is an answer the
 * client can act on (a 503 with {@code Retry-After}), which the storefront's SLO table would count as an
 * error. Thread-safe: synchronized histograms (microseconds, 2 significant digits) and adders.
 */
final class SearchSlice {

  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);

  private final SynchronizedHistogram answered = new SynchronizedHistogram(MAX_MICROS, 2);
  private final SynchronizedHistogram shed = new SynchronizedHistogram(MAX_MICROS, 2);
  private final SynchronizedHistogram refusal = new SynchronizedHistogram(MAX_MICROS, 2);
  private final SynchronizedHistogram retryAfter = new SynchronizedHistogram(MAX_MICROS, 2);
  private final LongAdder requests = new LongAdder();
  private final LongAdder inTime = new LongAdder();
  private final LongAdder errors = new LongAdder();

  /** A search answered after {@code latencyNanos}; in time if within {@code deadlineNanos}. */
  void answered(long latencyNanos, long deadlineNanos) {
    requests.increment();
    answered.recordValue(micros(latencyNanos));
    if (latencyNanos <= deadlineNanos) {
      inTime.increment();
    } else {
      errors.increment();
    }
  }

  /**
   * A search refused by the limiter, telling the client to retry after the hint.
   *
   * @param latencyNanos from the scheduled start to the refusal
   * @param refusalNanos from the call's start on its request thread to the refusal: the service's own time,
   *     without the wait for a request thread or, on a loaded machine, for a CPU
   */
  void shed(long latencyNanos, long refusalNanos, long retryAfterNanos) {
    requests.increment();
    shed.recordValue(micros(latencyNanos));
    refusal.recordValue(micros(refusalNanos));
    retryAfter.recordValue(micros(retryAfterNanos));
  }

  /** A search that failed (the database's error, or no connection in time). */
  void failed() {
    requests.increment();
    errors.increment();
  }

  long requests() {
    return requests.sum();
  }

  /** Searches answered within the deadline: the goodput. */
  long inTime() {
    return inTime.sum();
  }

  /** Searches that failed or were answered after the deadline (shed ones are not errors). */
  long errors() {
    return errors.sum();
  }

  long shed() {
    return shed.getTotalCount();
  }

  /** The answered searches' latency at {@code percentile} (0..100), in ms; 0 when none. */
  double answeredMillis(double percentile) {
    return percentileMillis(answered, percentile);
  }

  /** The shed searches' latency (until the refusal) at {@code percentile}, in ms; 0 when none. */
  double shedMillis(double percentile) {
    return percentileMillis(shed, percentile);
  }

  /** How long the service took to refuse (from the call's start on its thread) at {@code percentile}, in ms. */
  double refusalMillis(double percentile) {
    return percentileMillis(refusal, percentile);
  }

  /** The retry-after hints' median, in ms; 0 when none was shed. */
  double retryAfterMedianMillis() {
    return percentileMillis(retryAfter, 50);
  }

  /** The smallest retry-after hint, in ms; 0 when none was shed. */
  double retryAfterMinMillis() {
    return retryAfter.getTotalCount() == 0 ? 0 : retryAfter.getMinValue() / 1000.0;
  }

  private static double percentileMillis(SynchronizedHistogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  private static long micros(long nanos) {
    return Math.min(MAX_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }
}
