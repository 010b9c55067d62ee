package dev.ballast.degradation;

import dev.ballast.core.Ticker;
import dev.ballast.degradation.internal.HdrLatencyRecorder;
import java.time.Duration;

/**
 * Records the latencies of one operation and answers percentiles over a sliding window, for
 * {@link Signal#latencyMillis}. Backed by HdrHistogram (two significant digits).
 *
 * <pre>{@code
 * LatencyRecorder checkout = LatencyRecorder.of(Duration.ofMinutes(1), Ticker.system());
 * long start = System.nanoTime();
 * ... handle the request ...
 * checkout.record(System.nanoTime() - start);
 * }</pre>
 *
 * <p>{@link #record} is wait-free and allocates nothing (once the histogram has grown to the values
 * seen). The window is ten buckets; values reach their bucket when the window is next read, so a value
 * is dated by the first read after it, which the evaluation schedule makes at most one interval late.
 * Thread-safe.
 */
public interface LatencyRecorder {

  /**
   * A recorder over the last {@code window}, dated by {@code ticker}.
   *
   * @throws IllegalArgumentException if {@code window} is shorter than 10 ns
   */
  static LatencyRecorder of(Duration window, Ticker ticker) {
    return new HdrLatencyRecorder(window, ticker);
  }

  /** Records one latency in nanoseconds; negative values count as 0. */
  void record(long nanos);

  /**
   * The latency at {@code percentile} (in (0, 100]) over the window, in milliseconds, or NaN when the
   * window holds no value.
   *
   * @throws IllegalArgumentException if {@code percentile} is out of range
   */
  double percentileMillis(double percentile);

  /** How many values the window holds now. */
  long count();
}
