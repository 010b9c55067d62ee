package dev.ballast.degradation.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.SlidingTimeWindow;
import dev.ballast.degradation.OutcomeRecorder;
import java.time.Duration;

/** Successes and failures in a core {@link SlidingTimeWindow} of ten buckets; lock-free (see there). */
public final class WindowOutcomeRecorder implements OutcomeRecorder {

  private static final int CALLS = 0;
  private static final int FAILURES = 1;

  private final SlidingTimeWindow window;
  private final Ticker ticker;

  /** See {@link OutcomeRecorder#of}. */
  public WindowOutcomeRecorder(Duration window, Ticker ticker) {
    Check.positive(window, "OutcomeRecorder.window");
    this.ticker = Check.notNull(ticker, "OutcomeRecorder.ticker");
    long bucket = Check.atLeast(Check.saturatedNanos(window) / 10, 1, "OutcomeRecorder.window / 10 in ns");
    this.window = new SlidingTimeWindow(10, bucket, 2);
  }

  @Override
  public void recordSuccess() {
    window.add(ticker.read(), CALLS, 1);
  }

  @Override
  public void recordFailure() {
    long now = ticker.read();
    window.add(now, CALLS, 1);
    window.add(now, FAILURES, 1);
  }

  @Override
  public double errorRatio(int minimumCalls) {
    long[] sums = new long[2];
    window.sums(ticker.read(), sums);
    return sums[CALLS] < Math.max(1, minimumCalls) ? Double.NaN : (double) sums[FAILURES] / sums[CALLS];
  }
}
