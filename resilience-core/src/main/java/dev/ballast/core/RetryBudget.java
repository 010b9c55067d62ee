package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.SlidingTimeWindow;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps retries at a fraction of recent calls, so that when a dependency fails for everyone, retries do
 * not multiply its load (a retry storm). Over a sliding window, a retry is allowed while
 * {@code retries < minRetriesPerSecond × windowSeconds + ratio × calls}; the floor keeps a quiet service
 * able to retry at all. One budget can be shared by several {@link Retry} policies that call the same
 * dependency.
 * <pre>{@code
 * RetryBudget budget = RetryBudget.of(0.1, 10, Duration.ofSeconds(10)); // +10 % load at most
 * Retry retry = Retry.builder().maxAttempts(3).budget(budget).build();
 * }</pre>
 *
 * <p>Thread-safe and lock-free. Concurrent retries may overshoot the cap by the number of threads that
 * check it at the same instant; the budget bounds load, it is not an exact quota.
 *
 * <p>Logs: one WARN when the budget starts refusing, one INFO once a whole window has passed without a
 * refusal (reported at the next retry it grants). A budget pinned at its cap, which refuses and grants by
 * turns as old calls leave the window, therefore logs once, not at every turn; a WARN and INFO pair is
 * at most once per window.
 */
public final class RetryBudget {

  private static final Logger log = LoggerFactory.getLogger(RetryBudget.class);
  private static final int CALLS = 0;
  private static final int RETRIES = 1;
  private static final int BUCKETS = 10;

  private final double ratio;
  private final int minRetriesPerSecond;
  private final Duration window;
  private final Ticker ticker;
  private final SlidingTimeWindow counts;
  private final Transitions transitions;
  private final long windowNanos;
  private final AtomicBoolean exhausted = new AtomicBoolean();
  /** Whether the last transition reported was "refusing"; only the thread that flips it reports. */
  private final AtomicBoolean reportedRefusing = new AtomicBoolean();
  /** The ticker reading of the latest refusal; meaningful only while {@link #reportedRefusing}. */
  private final AtomicLong lastRefusalNanos = new AtomicLong();

  /** Where the budget reports its transitions: SLF4J, or a test's counter. */
  interface Transitions {
    void refusing(RetryBudget budget);

    void recovered(RetryBudget budget);
  }

  private static final Transitions LOG = new Transitions() {
    @Override
    public void refusing(RetryBudget b) {
      log.warn("Retry budget exhausted ({} of calls + {}/s over {}): refusing retries", b.ratio,
          b.minRetriesPerSecond, b.window);
    }

    @Override
    public void recovered(RetryBudget b) {
      log.info("Retry budget available again: no retry refused for {}; retries resume", b.window);
    }
  };

  private RetryBudget(double ratio, int minRetriesPerSecond, Duration window, Ticker ticker) {
    this(ratio, minRetriesPerSecond, window, ticker, LOG);
  }

  private RetryBudget(double ratio, int minRetriesPerSecond, Duration window, Ticker ticker,
      Transitions transitions) {
    this.ratio = Check.ratio(ratio, true, "RetryBudget.ratio");
    this.minRetriesPerSecond = Check.atLeast(minRetriesPerSecond, 0, "RetryBudget.minRetriesPerSecond");
    Check.positive(window, "RetryBudget.window");
    this.window = window;
    this.ticker = Check.notNull(ticker, "RetryBudget.ticker");
    this.transitions = Check.notNull(transitions, "RetryBudget.transitions");
    this.windowNanos = Check.saturatedNanos(window);
    this.counts = new SlidingTimeWindow(BUCKETS, Math.max(1, windowNanos / BUCKETS), 2);
  }

  /**
   * A budget allowing retries of at most {@code ratio} of the calls in the last {@code window}, plus
   * {@code minRetriesPerSecond}.
   *
   * @throws IllegalArgumentException if {@code ratio} is outside [0, 1], {@code minRetriesPerSecond}
   *     is negative or {@code window} is not positive
   */
  public static RetryBudget of(double ratio, int minRetriesPerSecond, Duration window) {
    return new RetryBudget(ratio, minRetriesPerSecond, window, Ticker.system());
  }

  /** The same budget reading time from {@code ticker} (for tests). */
  public RetryBudget withTicker(Ticker ticker) {
    return new RetryBudget(ratio, minRetriesPerSecond, window, ticker, transitions);
  }

  /** The same budget reporting its transitions to {@code transitions} instead of the log (for tests). */
  RetryBudget withTransitions(Transitions transitions) {
    return new RetryBudget(ratio, minRetriesPerSecond, window, ticker, transitions);
  }

  /** Records a first attempt: each call earns {@code ratio} of a retry. */
  public void recordCall() {
    counts.add(ticker.read(), CALLS, 1);
  }

  /** Takes one retry from the budget if there is one; returns whether the retry may go ahead. */
  public boolean tryRetry() {
    long now = ticker.read();
    double allowed = minRetriesPerSecond * (counts.windowNanos() / 1e9) + ratio * counts.sum(now, CALLS);
    if (counts.sum(now, RETRIES) >= allowed) {
      refused(now);
      return false;
    }
    counts.add(now, RETRIES, 1);
    granted(now);
    return true;
  }

  private void refused(long now) {
    lastRefusalNanos.set(now); // before the flag, so a reader that sees the flag sees a recent refusal
    if (!exhausted.get()) {
      exhausted.set(true);
    }
    if (reportedRefusing.compareAndSet(false, true)) {
      transitions.refusing(this);
    }
  }

  private void granted(long now) {
    if (exhausted.get()) {
      exhausted.set(false);
    }
    // Recovered only after a whole window without a refusal: a budget at its cap refuses again within
    // moments, and reporting each grant in between would log at every turn.
    if (reportedRefusing.get() && now - lastRefusalNanos.get() >= windowNanos
        && reportedRefusing.compareAndSet(true, false)) {
      transitions.recovered(this);
    }
  }

  /** Whether the last {@link #tryRetry()} was refused. */
  public boolean isExhausted() {
    return exhausted.get();
  }

  /** The share of recent calls that may be retried. */
  public double ratio() {
    return ratio;
  }

  /** The retries per second allowed however few calls there were. */
  public int minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  /** How far back calls and retries are counted. */
  public Duration window() {
    return window;
  }
}
