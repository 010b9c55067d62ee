package dev.ballast.queue.internal;

import dev.ballast.core.Ticker;
import dev.ballast.redis.internal.LogGate;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * A WARN line at most once a minute, saying how many were left out since the previous one: for events
 * that are each worth knowing (a corrupt job) but may come in bursts. The rule itself is redis-support's
 * {@link LogGate}, shared with the Redis guard's data-error warnings. Thread-safe.
 */
final class MinuteLog {

  private final Logger log;
  private final LogGate gate = new LogGate(Ticker.system(), Duration.ofMinutes(1));

  MinuteLog(Logger log) {
    this.log = log;
  }

  void warn(String message) {
    long events = gate.pass();
    if (events > 0) {
      long left = events - 1; // the gate counts this event too
      log.warn(left == 0 ? message : message + " (" + left + " more since the previous line)");
    }
  }
}
