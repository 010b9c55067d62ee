package dev.ballast.core.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A smoothed duration in nanoseconds (exponentially weighted, weight 1/16 for each new sample), used for
 * the retry-after hint of load-shedding rejections: "about one call from now, a slot is likely free".
 *
 * <p>Design: one {@code long} in an {@link AtomicLong}, read and written with release/acquire order but
 * no CAS and no full fence (it is updated on every call's release). Two threads that update at once may
 * lose one of the samples; the value is a hint, so that is cheaper than a CAS loop and harmless.
 */
public final class Ewma {

  private final AtomicLong nanos;

  /** @param initialNanos the value before the first sample */
  public Ewma(long initialNanos) {
    this.nanos = new AtomicLong(Math.max(0, initialNanos));
  }

  /** Adds one sample; negative samples count as zero. */
  public void add(long sampleNanos) {
    long current = nanos.getAcquire();
    nanos.setRelease(current + ((Math.max(0, sampleNanos) - current) >> 4));
  }

  /** The smoothed value. */
  public long nanos() {
    return nanos.getAcquire();
  }
}
