package dev.ballast.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker moved by hand, with a sleeper that moves it instead of blocking. */
final class ManualClock implements Ticker, Sleeper {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final AtomicLong slept = new AtomicLong();

  @Override
  public long read() {
    return now.get();
  }

  @Override
  public void sleep(long nanos) {
    slept.addAndGet(nanos);
    now.addAndGet(nanos);
  }

  void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
  }

  long sleptNanos() {
    return slept.get();
  }
}
