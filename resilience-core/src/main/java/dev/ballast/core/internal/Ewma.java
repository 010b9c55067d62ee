package dev.ballast.core.internal;

/**
 * A smoothed duration in nanoseconds (exponentially weighted, weight 1/16 for each new sample), used for
 * the retry-after hint of load-shedding rejections: "about one call from now, a slot is likely free".
 *
 * <p>Design: one volatile {@code long}, read and written without a lock. Two threads that update at once
 * may lose one of the samples; the value is a hint, so that is cheaper than a CAS loop and harmless.
 */
public final class Ewma {

  private volatile long nanos;

  /** @param initialNanos the value before the first sample */
  public Ewma(long initialNanos) {
    this.nanos = Math.max(0, initialNanos);
  }

  /** Adds one sample; negative samples count as zero. */
  public void add(long sampleNanos) {
    long current = nanos;
    nanos = current + ((Math.max(0, sampleNanos) - current) >> 4);
  }

  /** The smoothed value. */
  public long nanos() {
    return nanos;
  }
}
