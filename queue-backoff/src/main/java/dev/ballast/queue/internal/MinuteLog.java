package dev.ballast.queue.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A WARN line at most once a minute, saying how many were left out since the previous one: for events
 * that are each worth knowing (a corrupt job) but may come in bursts. Thread-safe: one CAS picks the
 * thread that logs.
 */
final class MinuteLog {

  private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Logger log;
  private final AtomicLong nextAt = new AtomicLong(System.nanoTime());
  private final AtomicLong skipped = new AtomicLong();

  MinuteLog(Logger log) {
    this.log = log;
  }

  void warn(String message) {
    long now = System.nanoTime();
    long next = nextAt.get();
    if (now - next >= 0 && nextAt.compareAndSet(next, now + MINUTE_NANOS)) {
      long left = skipped.getAndSet(0);
      log.warn(left == 0 ? message : message + " (" + left + " more since the previous line)");
    } else {
      skipped.incrementAndGet();
    }
  }
}
