package dev.ballast.examples;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the progress line shows: the requests that completed since the last look (latency from their
 * scheduled start), whichever second they were scheduled in. The final tables and charts group
 * requests by when they were scheduled instead ({@link Timeline}); this is only the live view.
 * Thread-safe: HdrHistogram's {@link Recorder} swaps interval histograms without stopping writers.
 */
final class LiveWindow {

  /** The requests completed in one interval. */
  record Interval(long completed, double p95Millis, double errorRatio) {}

  private final Recorder micros = new Recorder(TimeUnit.MINUTES.toMicros(1), 2);
  private final LongAdder errors = new LongAdder();
  private Histogram recycled;

  void record(long latencyNanos, Outcome outcome) {
    micros.recordValue(Math.min(TimeUnit.MINUTES.toMicros(1), Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos))));
    if (outcome == Outcome.ERROR) {
      errors.increment();
    }
  }

  /** The interval since the previous call; called by one thread. */
  Interval next() {
    Histogram interval = micros.getIntervalHistogram(recycled);
    recycled = interval;
    long completed = interval.getTotalCount();
    long failed = errors.sumThenReset();
    return new Interval(completed, completed == 0 ? 0 : interval.getValueAtPercentile(95) / 1000.0,
        completed == 0 ? 0 : Math.min(1.0, (double) failed / completed));
  }
}
