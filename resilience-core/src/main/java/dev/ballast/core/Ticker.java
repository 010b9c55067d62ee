package dev.ballast.core;

/**
 * A source of nanosecond time, read once per operation by every time-based policy.
 *
 * <p>Production code uses {@link #system()}; tests hand in a ticker they move by hand, so no test has to
 * sleep:
 * <pre>{@code
 * ManualTicker clock = new ManualTicker();           // from ballast-test-support
 * CircuitBreaker breaker = CircuitBreaker.builder().name("db").ticker(clock::read).build();
 * clock.advance(Duration.ofSeconds(30));
 * }</pre>
 * Only differences between two readings mean anything, as with {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {

  /** Returns the current reading in nanoseconds. */
  long read();

  /** Returns the ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}

/** A named class rather than a lambda so that call sites stay monomorphic and easy to profile. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }
}
