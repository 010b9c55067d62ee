package dev.ballast.redis.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a log line through at most once per interval and says how many events it stands for: for events
 * each worth knowing (a Redis data error, a corrupt job) that may come in bursts. Not user API: shared by
 * the modules so that "at most once a minute, with the count" is one rule.
 *
 * <p>Thread-safe: one CAS on the next opening picks the thread that logs; the count is taken with
 * {@code getAndSet}, so every event is reported in exactly one line (or is still pending).
 */
public final class LogGate {

  private final Ticker ticker;
  private final long intervalNanos;
  private final AtomicLong nextOpen;
  private final AtomicLong pending = new AtomicLong();

  /**
   * A gate open now, then once per {@code interval} after each line.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code interval} is not positive
   */
  public LogGate(Ticker ticker, Duration interval) {
    this.ticker = Check.notNull(ticker, "LogGate.ticker");
    this.intervalNanos = Check.saturatedNanos(Check.positive(interval, "LogGate.interval"));
    this.nextOpen = new AtomicLong(ticker.read());
  }

  /**
   * Records one event.
   *
   * @return 0 if this event must not be logged now; else how many events the line stands for (this one
   *     and those left out since the previous line), at least 1
   */
  public long pass() {
    pending.incrementAndGet();
    long now = ticker.read();
    long next = nextOpen.get();
    if (now - next < 0 || !nextOpen.compareAndSet(next, now + intervalNanos)) {
      return 0;
    }
    return pending.getAndSet(0);
  }
}
