package dev.ballast.degradation.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.degradation.LatencyRecorder;
import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Design: writers record into one HdrHistogram {@link Recorder} (wait-free, no lock). Readers take the
 * recorder's interval histogram, add it to the bucket of the read's time in a ring of ten histograms,
 * and merge the buckets inside the window. Readers are serialized by this object's monitor; they run on
 * the evaluation schedule, never on a request path.
 */
public final class HdrLatencyRecorder implements LatencyRecorder {

  private static final int BUCKETS = 10;

  private final Recorder recorder = new Recorder(2);
  private final Ticker ticker;
  private final long bucketNanos;
  private final Histogram[] ring = new Histogram[BUCKETS];
  private final long[] epochs = new long[BUCKETS];
  private Histogram recycled;

  /** See {@link LatencyRecorder#of}. */
  public HdrLatencyRecorder(Duration window, Ticker ticker) {
    Check.positive(window, "LatencyRecorder.window");
    this.ticker = Check.notNull(ticker, "LatencyRecorder.ticker");
    this.bucketNanos = Check.atLeast(Check.saturatedNanos(window) / BUCKETS, 1, "LatencyRecorder.window / 10 in ns");
  }

  @Override
  public void record(long nanos) {
    recorder.recordValue(Math.max(0, nanos));
  }

  @Override
  public double percentileMillis(double percentile) {
    if (!(percentile > 0.0 && percentile <= 100.0)) {
      throw new IllegalArgumentException("LatencyRecorder.percentile must be in (0, 100], was " + percentile);
    }
    Histogram merged = merged();
    return merged.getTotalCount() == 0 ? Double.NaN : merged.getValueAtPercentile(percentile) / 1_000_000.0;
  }

  @Override
  public long count() {
    return merged().getTotalCount();
  }

  private synchronized Histogram merged() {
    long epoch = Math.floorDiv(ticker.read(), bucketNanos);
    int slot = (int) Math.floorMod(epoch, (long) BUCKETS);
    Histogram interval = recorder.getIntervalHistogram(recycled);
    recycled = null;
    if (ring[slot] == null || epochs[slot] != epoch) {
      recycled = ring[slot];
      ring[slot] = interval;
      epochs[slot] = epoch;
    } else {
      ring[slot].add(interval);
      recycled = interval;
    }
    Histogram merged = new Histogram(2);
    for (int i = 0; i < BUCKETS; i++) {
      long age = epoch - epochs[i];
      if (ring[i] != null && age >= 0 && age < BUCKETS) {
        merged.add(ring[i]);
      }
    }
    return merged;
  }
}
