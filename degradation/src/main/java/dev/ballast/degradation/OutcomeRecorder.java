package dev.ballast.degradation;

import dev.ballast.core.Ticker;
import dev.ballast.degradation.internal.WindowOutcomeRecorder;
import java.time.Duration;

/**
 * Counts successes and failures of one operation over a sliding window, for {@link Signal#errorRatio}.
 *
 * <pre>{@code
 * OutcomeRecorder payments = OutcomeRecorder.of(Duration.ofMinutes(1), Ticker.system());
 * try { pay(); payments.recordSuccess(); } catch (PaymentException e) { payments.recordFailure(); throw e; }
 * }</pre>
 *
 * Lock-free; recording allocates nothing except once per bucket period (a tenth of the window).
 */
public interface OutcomeRecorder {

  /**
   * A recorder over the last {@code window}, dated by {@code ticker}.
   *
   * @throws IllegalArgumentException if {@code window} is shorter than 10 ns
   */
  static OutcomeRecorder of(Duration window, Ticker ticker) {
    return new WindowOutcomeRecorder(window, ticker);
  }

  /** Records one successful call. */
  void recordSuccess();

  /** Records one failed call. */
  void recordFailure();

  /**
   * Failures over all calls in the window, or NaN when fewer than {@code minimumCalls} calls are in it.
   */
  double errorRatio(int minimumCalls);
}
