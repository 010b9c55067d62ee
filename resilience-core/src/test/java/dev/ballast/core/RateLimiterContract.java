package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What every rate limiter of the family promises, whatever its kind (local, keyed, fleet-wide) and backend:
 * one abstract class, one subclass per kind and backend (as the queue's {@code JobQueueContract}). The
 * clock is a manual one that moves in whole microseconds (what a fleet-wide limiter's Lua reads); waits go
 * through a real {@link Sleeper} only in the interrupt test.
 */
public abstract class RateLimiterContract {

  protected static final long MS = 1_000_000L;
  private static final AtomicInteger NAMES = new AtomicInteger();

  /** The limiter under test, as this contract drives it. */
  protected interface Subject extends AutoCloseable {

    /** As {@link RateLimiter#tryAcquireOrNanosToWait(int)}. */
    long tryAcquireOrNanosToWait(int permits);

    /** As {@link RateLimiter#availablePermits()}. */
    long availablePermits();

    /** As {@link RateLimiter#acquire(int, Duration)}; kinds that never wait throw {@link UnsupportedOperationException}. */
    boolean acquire(int permits, Duration timeout) throws InterruptedException;

    @Override
    default void close() {}
  }

  /**
   * A new limiter of this kind, its bucket full, named {@code name} (unique per call, so backends that
   * share state across instances start clean).
   *
   * @param registry where it publishes its meters, or null for none
   */
  protected abstract Subject create(String name, Rate rate, Ticker ticker, Sleeper sleeper, MeterRegistry registry);

  /** Whether this kind waits ({@code acquire}); a keyed limiter only answers now. */
  protected boolean waits() {
    return true;
  }

  /** Cuts the backend off (an outage); kinds without one skip the outage test. */
  protected void breakBackend() {
    Assumptions.abort("this kind has no backend that can fail");
  }

  /** Ends the outage {@link #breakBackend()} started. */
  protected void restoreBackend() {}

  /** Negative, as a ticker may read (System.nanoTime can). */
  private final AtomicLong now = new AtomicLong(-TimeUnit.SECONDS.toNanos(1_000));

  private Subject create(Rate rate) {
    return create(uniqueName(), rate, now::get, Sleeper.system(), null);
  }

  private static String uniqueName() {
    return "contract-" + NAMES.incrementAndGet() + "-" + System.nanoTime();
  }

  @Test
  void aFullBucketGrantsTheBurstThenRefusesWithTheExactWait() {
    try (Subject limiter = create(Rate.of(10, Duration.ofSeconds(1)).withBurst(5))) {
      assertThat(limiter.availablePermits()).isEqualTo(5);
      for (int i = 0; i < 5; i++) {
        assertThat(limiter.tryAcquireOrNanosToWait(1)).as("grant %d", i).isZero();
      }
      assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(100 * MS);
      assertThat(limiter.tryAcquireOrNanosToWait(3)).as("a refusal took nothing").isEqualTo(300 * MS);
      assertThat(limiter.availablePermits()).isZero();
    }
  }

  @Test
  void theBucketRefillsContinuouslyAndNeverBeyondTheBurst() {
    try (Subject limiter = create(Rate.of(10, Duration.ofSeconds(1)).withBurst(5))) {
      assertThat(limiter.tryAcquireOrNanosToWait(5)).isZero();
      now.addAndGet(100 * MS - 1_000);
      assertThat(limiter.tryAcquireOrNanosToWait(1)).as("one microsecond early").isEqualTo(1_000);
      now.addAndGet(1_000);
      assertThat(limiter.availablePermits()).isEqualTo(1);
      assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero();
      now.addAndGet(TimeUnit.HOURS.toNanos(1));
      assertThat(limiter.availablePermits()).as("an idle hour refills to the burst, no further").isEqualTo(5);
      assertThat(limiter.tryAcquireOrNanosToWait(5)).isZero();
      assertThat(limiter.tryAcquireOrNanosToWait(1)).isEqualTo(100 * MS);
    }
  }

  @Test
  void permitsAboveTheBurstOrBelowOneAreRefusedWithAClearError() {
    String name = uniqueName();
    try (Subject limiter = create(name, Rate.of(10, Duration.ofSeconds(1)).withBurst(5), now::get,
        Sleeper.system(), null)) {
      assertThatThrownBy(() -> limiter.tryAcquireOrNanosToWait(6)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("permits must be at most the capacity 5 of rate limiter '" + name + "', was 6");
      assertThatThrownBy(() -> limiter.tryAcquireOrNanosToWait(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("permits must be at least 1, was 0");
      assertThat(limiter.availablePermits()).as("nothing taken").isEqualTo(5);
    }
  }

  @Test
  void aWaitingAcquireEndsWithInterruptedExceptionWhenInterrupted() throws Exception {
    Assumptions.assumeTrue(waits(), "this kind never waits");
    CountDownLatch sleeping = new CountDownLatch(1);
    Sleeper announcing = nanos -> {
      sleeping.countDown();
      Sleeper.system().sleep(nanos);
    };
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Subject limiter = create(uniqueName(), Rate.of(1, Duration.ofHours(1)), now::get, announcing, null)) {
      assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero();
      Future<Boolean> waiting = thread.submit(() -> limiter.acquire(1, Duration.ofHours(2)));
      assertThat(sleeping.await(30, TimeUnit.SECONDS)).as("the acquire went to sleep").isTrue();
      waiting.cancel(true); // interrupts the waiting thread
      thread.shutdown();
      assertThat(thread.awaitTermination(30, TimeUnit.SECONDS)).as("the interrupt ended the wait").isTrue();
      // A bounded acquire that cannot succeed in time answers false at once, without sleeping.
      assertThat(limiter.acquire(1, Duration.ofMinutes(1))).isFalse();
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void anInterruptedAcquireThrowsInterruptedException() throws Exception {
    Assumptions.assumeTrue(waits(), "this kind never waits");
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Subject limiter = create(uniqueName(), Rate.of(1, Duration.ofHours(1)), now::get, Sleeper.system(), null)) {
      assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero();
      Future<Boolean> waiting = thread.submit(() -> {
        Thread.currentThread().interrupt();
        return limiter.acquire(1, Duration.ofHours(2));
      });
      assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(InterruptedException.class);
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void grantsAndRefusalsAreCountedPerPermit() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    String name = uniqueName();
    try (Subject limiter = create(name, Rate.of(5, Duration.ofSeconds(1)), now::get, Sleeper.system(), registry)) {
      assertThat(limiter.tryAcquireOrNanosToWait(3)).isZero();
      assertThat(limiter.tryAcquireOrNanosToWait(3)).isPositive();
      assertThat(limiter.tryAcquireOrNanosToWait(2)).isZero();
      assertThat(registry.get("ballast.ratelimiter.permits").tag("name", name).tag("result", "granted")
          .counter().count()).isEqualTo(5);
      assertThat(registry.get("ballast.ratelimiter.permits").tag("name", name).tag("result", "refused")
          .counter().count()).isEqualTo(3);
    }
  }

  @Test
  void duringAnOutageTheLimiterStillDecidesAndNeverGrantsMoreThanTheBurst() {
    try (Subject limiter = create(Rate.of(1, Duration.ofHours(1)).withBurst(8))) {
      assertThat(limiter.tryAcquireOrNanosToWait(1)).isZero();
      breakBackend();
      try {
        int granted = 0;
        for (int i = 0; i < 24; i++) {
          granted += limiter.tryAcquireOrNanosToWait(1) == 0 ? 1 : 0; // never throws
        }
        assertThat(granted).isBetween(1, 8);
      } finally {
        restoreBackend();
      }
    }
  }

  /** Never more than {@code burst + rate × window} permits in any window, whatever the sequence. */
  @Property(tries = 25)
  void neverMoreThanTheRateOverAnyWindow(
      @ForAll @IntRange(min = 1, max = 10) int burst,
      @ForAll @IntRange(min = 1, max = 50) int perSecond,
      @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 2999) Integer> steps) {
    AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(5_000));
    List<long[]> grants = new ArrayList<>(); // {time, permits}
    try (Subject limiter = create(uniqueName(), Rate.of(perSecond, Duration.ofSeconds(1)).withBurst(burst),
        clock::get, Sleeper.system(), null)) {
      for (int step : steps) {
        clock.addAndGet((step / 3) * 997_000L); // whole microseconds, up to about a second
        int permits = 1 + Math.min(step % 3, burst - 1);
        if (limiter.tryAcquireOrNanosToWait(permits) == 0) {
          grants.add(new long[] {clock.get(), permits});
        }
      }
    }
    for (int i = 0; i < grants.size(); i++) {
      long sum = 0;
      for (int j = i; j < grants.size(); j++) {
        sum += grants.get(j)[1];
        double windowSeconds = (grants.get(j)[0] - grants.get(i)[0]) / 1e9;
        assertThat((double) sum).isLessThanOrEqualTo(burst + perSecond * windowSeconds + 1e-9);
      }
    }
  }
}
