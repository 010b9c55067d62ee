package dev.ballast.testsupport;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nanosecond clock that moves only when a test moves it: hand it to any Ballast builder that takes a
 * {@code Ticker} (and, for retries, a {@code Sleeper}), so a test of timing never sleeps.
 * <pre>{@code
 * ManualTicker clock = new ManualTicker();
 * CircuitBreaker breaker = CircuitBreaker.builder().name("db").ticker(clock::read).build();
 * Retry retry = Retry.builder().ticker(clock::read).sleeper(clock::sleep).build(); // backoff advances the clock
 * clock.advance(Duration.ofSeconds(30));
 * }</pre>
 * Pass it as the method reference {@code clock::read}: test-support cannot implement resilience-core's
 * {@code Ticker} itself, because resilience-core's own tests use this class (a dependency of each on the
 * other would be a cycle). {@code read} has {@code Ticker.read}'s contract, so the reference fits.
 *
 * <p>Thread-safe: one {@link AtomicLong}, so threads may read and move it concurrently; every reading is a
 * value some thread set. Like {@link System#nanoTime()}, only differences between readings mean anything,
 * and the clock may start anywhere, negative or near {@link Long#MAX_VALUE} to exercise wrap-around;
 * moving it backwards is allowed ({@link #set}) for tests of clocks that misbehave.
 */
public final class ManualTicker implements LongSupplier {

  private final AtomicLong now;
  private final AtomicLong slept = new AtomicLong();

  /** A clock reading 0. */
  public ManualTicker() {
    this(0);
  }

  /** A clock reading {@code startNanos}. */
  public ManualTicker(long startNanos) {
    this.now = new AtomicLong(startNanos);
  }

  /** The current reading in nanoseconds, as {@code Ticker.read()}: pass {@code clock::read} as the ticker. */
  public long read() {
    return now.get();
  }

  /** The current reading; the same as {@link #read()}, for APIs that take a {@link LongSupplier}. */
  @Override
  public long getAsLong() {
    return now.get();
  }

  /**
   * Moves the clock forward by {@code duration}.
   *
   * @return the new reading
   * @throws NullPointerException if {@code duration} is null
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public long advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration
          + " (use set(long) to move the clock backwards on purpose)");
    }
    return advanceNanos(duration.toNanos());
  }

  /**
   * Moves the clock by {@code nanos} (negative moves it back), wrapping as {@link System#nanoTime()} may.
   *
   * @return the new reading
   */
  public long advanceNanos(long nanos) {
    return now.addAndGet(nanos);
  }

  /** Sets the reading to {@code nanos}, forwards or backwards. */
  public void set(long nanos) {
    now.set(nanos);
  }

  /**
   * A {@code Sleeper} that does not block: moves the clock forward by {@code nanos} at once and remembers
   * the total. Pass {@code clock::sleep} where a builder takes a sleeper.
   *
   * @throws IllegalArgumentException if {@code nanos} is negative
   */
  public void sleep(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("nanos must not be negative, was " + nanos);
    }
    slept.addAndGet(nanos);
    now.addAndGet(nanos);
  }

  /** The nanoseconds {@link #sleep} has been asked to sleep in all. */
  public long sleptNanos() {
    return slept.get();
  }

  @Override
  public String toString() {
    return "ManualTicker[" + now.get() + " ns]";
  }
}
