package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.GradientLimit;
import java.time.Duration;

/**
 * How a {@link ConcurrencyLimiter} moves its limit, from each call's latency (its round-trip time, RTT)
 * and drop signals. Immutable settings; each limiter keeps its own state.
 */
public sealed interface ConcurrencyLimitAlgorithm {

  /** {@link Gradient} with Envoy's defaults. */
  static ConcurrencyLimitAlgorithm gradient() {
    return new Gradient(0.25, Duration.ofMillis(100), Duration.ofSeconds(60), 50, 3);
  }

  /** {@link Aimd} with Netflix's backoff ratio 0.9 and a latency threshold of {@code latencyThreshold}. */
  static ConcurrencyLimitAlgorithm aimd(Duration latencyThreshold) {
    return new Aimd(latencyThreshold, 0.9);
  }

  /**
   * Additive increase, multiplicative decrease, as TCP Reno's congestion avoidance (RFC 5681) and Netflix
   * concurrency-limits' {@code AIMDLimit}. On each call's completion:
   * <pre>
   * if dropped or rtt &gt; latencyThreshold:  limit = max(minLimit, floor(limit * backoffRatio))
   * else if inFlight * 2 &gt;= limit:         limit = min(maxLimit, limit + 1 / limit)
   * </pre>
   * A drop is a call that ended with a drop signal (by default a {@link TimeoutExceededException}).
   * Unlike Netflix's (+1 per call, a decrease per slow call), the limit moves as TCP's window does: it
   * grows by about 1 per round (1/limit for each of the limit's calls), and decreases once per round (a
   * slow call that started before the last decrease saw the old queue and does not decrease it again),
   * so a burst of slow completions from one queue does not collapse the limit to its minimum, and the
   * growth does not outrun the decreases under overload. The {@code inFlight * 2 >= limit} test keeps an
   * idle service from growing its limit without evidence.
   *
   * @param latencyThreshold a call slower than this counts as a drop; set it above the dependency's
   *     healthy p99
   * @param backoffRatio the multiplicative decrease, in [0.5, 1)
   */
  record Aimd(Duration latencyThreshold, double backoffRatio) implements ConcurrencyLimitAlgorithm {
    /** @throws IllegalArgumentException naming the bad field */
    public Aimd {
      Check.positive(latencyThreshold, "Aimd.latencyThreshold");
      if (!(backoffRatio >= 0.5 && backoffRatio < 1.0)) {
        throw new IllegalArgumentException("Aimd.backoffRatio must be in [0.5, 1), was " + backoffRatio);
      }
    }
  }

  /**
   * The gradient algorithm of Envoy's adaptive concurrency filter (itself after Netflix
   * concurrency-limits' {@code GradientLimit}): compare the latency now with the latency without load.
   * <ul>
   *   <li>minRtt: every {@code minRttInterval} (and at start) the limit is pinned to {@code probeLimit}
   *       for as long as it takes {@code minRttSamples} calls that started during the probe to finish;
   *       minRtt is their median. A small pinned limit leaves no queue, so this is the latency without
   *       load. (Envoy adds random jitter to the interval; a fleet that wants it staggers its
   *       instances' starts.)
   *   <li>Every {@code sampleWindow}: sampleRtt is the median latency of the calls that finished in the
   *       window, and
   *       <pre>
   * gradient = clamp((minRtt * (1 + rttTolerance)) / sampleRtt, 0.5, 2.0)    (0.5 if a call dropped)
   * limit    = clamp(limit * gradient + sqrt(limit * gradient), minLimit, maxLimit)
   *       </pre>
   *       The square root is headroom for bursts; it also makes the limit settle a little above the
   *       true concurrency, where sampleRtt is about (1 + rttTolerance) × minRtt × (1 + 1/sqrt(limit)).
   *       As in Netflix's {@code Gradient2Limit}, a window whose calls never used half the limit does not
   *       raise it (quiet traffic is no evidence that more would be fine), so after a calm period the
   *       limit is still near what the dependency can take when the next spike comes.
   * </ul>
   * Reference: Envoy, "Adaptive Concurrency" filter documentation (envoyproxy.io), and Netflix
   * concurrency-limits (github.com/Netflix/concurrency-limits).
   *
   * @param rttTolerance how much latency above minRtt counts as no queue (Envoy's buffer, 25 %)
   * @param sampleWindow how often the limit is recomputed
   * @param minRttInterval how often minRtt is measured again (capacity and latency change)
   * @param minRttSamples how many calls the minRtt probe measures (1..256)
   * @param probeLimit the limit while minRtt is measured
   */
  record Gradient(double rttTolerance, Duration sampleWindow, Duration minRttInterval, int minRttSamples,
      int probeLimit) implements ConcurrencyLimitAlgorithm {
    /** @throws IllegalArgumentException naming the bad field */
    public Gradient {
      Check.atLeast(rttTolerance, 0.0, "Gradient.rttTolerance");
      Check.positive(sampleWindow, "Gradient.sampleWindow");
      Check.positive(minRttInterval, "Gradient.minRttInterval");
      Check.atMost(Check.atLeast(minRttSamples, 1, "Gradient.minRttSamples"), GradientLimit.MAX_SAMPLES,
          "Gradient.minRttSamples");
      Check.atLeast(probeLimit, 1, "Gradient.probeLimit");
    }
  }
}
