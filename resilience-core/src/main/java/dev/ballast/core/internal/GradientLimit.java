package dev.ballast.core.internal;

import dev.ballast.core.ConcurrencyLimitAlgorithm.Gradient;
import java.util.Arrays;

/**
 * The state of {@link Gradient}; see its Javadoc for the rule. Samples go into a preallocated array, so
 * an update allocates nothing; a window with more than {@link #MAX_SAMPLES} calls keeps its first ones,
 * which describe the window as well as any.
 */
public final class GradientLimit implements AdaptiveLimit {

  /** The most samples one window or probe keeps. */
  public static final int MAX_SAMPLES = 256;

  private final double tolerance;
  private final long windowNanos;
  private final long probeIntervalNanos;
  private final int probeSamples;
  private final int probeLimit;
  private final int minLimit;
  private final int maxLimit;

  private final long[] samples = new long[MAX_SAMPLES];
  private int count;
  private boolean dropped;
  private int maxInFlight;
  private long windowStart;
  private long nextProbe;
  private boolean probing;
  private long probeStart;
  private int limitAfterProbe;
  private double limit;
  private long minRtt;

  /** Starts with a probe for minRtt at {@code now}. */
  public GradientLimit(Gradient settings, int initialLimit, int minLimit, int maxLimit, long now) {
    this.tolerance = settings.rttTolerance();
    this.windowNanos = Check.saturatedNanos(settings.sampleWindow());
    this.probeIntervalNanos = Check.saturatedNanos(settings.minRttInterval());
    this.probeSamples = settings.minRttSamples();
    this.probeLimit = Math.max(minLimit, Math.min(maxLimit, settings.probeLimit()));
    this.minLimit = minLimit;
    this.maxLimit = maxLimit;
    this.limit = initialLimit;
    startProbe(now);
  }

  @Override
  public int limit() {
    return probing ? probeLimit : (int) limit;
  }

  /** The latency without load, as last measured; 0 before the first probe ends. */
  public long minRttNanos() {
    return minRtt;
  }

  @Override
  public int onSample(long now, long startNanos, int inFlight, boolean drop) {
    long rtt = now - startNanos;
    if (probing) {
      // Only calls that started under the pinned limit saw no queue.
      if (startNanos - probeStart >= 0 && count < MAX_SAMPLES) {
        samples[count++] = rtt;
      }
      if (count >= probeSamples) {
        minRtt = Math.max(1, median());
        probing = false;
        limit = limitAfterProbe;
        nextProbe = now + probeIntervalNanos;
        startWindow(now);
      }
      return limit();
    }
    if (now - nextProbe >= 0) {
      startProbe(now);
      return limit();
    }
    if (count < MAX_SAMPLES) {
      samples[count++] = rtt;
    }
    dropped |= drop;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (now - windowStart >= windowNanos) {
      double gradient = dropped ? 0.5
          : Math.max(0.5, Math.min(2.0, minRtt * (1.0 + tolerance) / Math.max(1, median())));
      double scaled = limit * gradient;
      double next = Math.max(minLimit, Math.min(maxLimit, scaled + Math.sqrt(scaled)));
      // Application-limited (Netflix's Gradient2 rule): a window that used less than half the limit is
      // no evidence that more would be fine, so the limit does not grow on it (it may still fall).
      if (next <= limit || maxInFlight * 2 >= limit) {
        limit = next;
      }
      startWindow(now);
    }
    return limit();
  }

  private void startProbe(long now) {
    probing = true;
    probeStart = now;
    limitAfterProbe = (int) limit;
    count = 0;
  }

  private void startWindow(long now) {
    windowStart = now;
    count = 0;
    dropped = false;
    maxInFlight = 0;
  }

  private long median() {
    Arrays.sort(samples, 0, count);
    return samples[count / 2];
  }
}
