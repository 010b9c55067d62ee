package dev.ballast.queue.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a run of backend failures once when it starts (WARN) and once when it ends (INFO, with the count),
 * never per call. Thread-safe: the flag flips by CAS, so one thread logs each edge.
 */
final class ThrottledLog {

  private final Logger log;
  private final String what;
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicLong failures = new AtomicLong();

  ThrottledLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  void failed(String operation, Throwable e) {
    failures.incrementAndGet();
    if (!failing.get() && failing.compareAndSet(false, true)) {
      log.warn("{}: {} failed, retrying until the backend answers: {}", what, operation, e.toString());
    }
  }

  void recovered() {
    if (failing.get() && failing.compareAndSet(true, false)) {
      log.info("{}: backend answers again after {} failed calls", what, failures.getAndSet(0));
    }
  }
}
