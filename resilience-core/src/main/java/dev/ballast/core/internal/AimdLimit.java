package dev.ballast.core.internal;

import dev.ballast.core.ConcurrencyLimitAlgorithm.Aimd;

/** The state of {@link Aimd}; see its Javadoc for the rule. */
public final class AimdLimit implements AdaptiveLimit {

  private final long thresholdNanos;
  private final double backoffRatio;
  private final int minLimit;
  private final int maxLimit;
  private double limit;
  private long lastDecrease = Long.MIN_VALUE;

  public AimdLimit(Aimd settings, int initialLimit, int minLimit, int maxLimit) {
    this.thresholdNanos = Check.saturatedNanos(settings.latencyThreshold());
    this.backoffRatio = settings.backoffRatio();
    this.minLimit = minLimit;
    this.maxLimit = maxLimit;
    this.limit = initialLimit;
  }

  @Override
  public int limit() {
    return (int) limit;
  }

  @Override
  public int onSample(long now, long startNanos, int inFlight, boolean dropped) {
    if (dropped || now - startNanos > thresholdNanos) {
      // One decrease per round: a call that started before the last decrease saw the old queue.
      if (startNanos - lastDecrease >= 0 || lastDecrease == Long.MIN_VALUE) {
        limit = Math.max(minLimit, Math.floor(limit * backoffRatio));
        lastDecrease = now;
      }
    } else if (inFlight * 2 >= limit) {
      // +1 per round: 1/limit for each of the limit's calls, as TCP's congestion avoidance.
      limit = Math.min(maxLimit, limit + 1.0 / limit);
    }
    return (int) limit;
  }
}
