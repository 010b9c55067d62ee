package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Ewma;
import dev.ballast.core.internal.HeldPermit;
import dev.ballast.core.internal.ShedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link Bulkhead} on a non-fair {@link Semaphore}.
 *
 * <p>Design: the semaphore is the only shared state that matters; a free slot is one CAS on its count,
 * no lock and no allocation. Only a caller that waits enqueues (and allocates) in the semaphore's queue.
 * A release without an acquire is caught by comparing the count with the bound, so a caller bug cannot
 * silently widen the bulkhead. The smoothed hold time behind the retry-after hint is a racy hint
 * ({@link Ewma}).
 */
final class SemaphoreBulkhead implements Bulkhead {

  static final int FULL = 0;
  static final int WAIT_TIMEOUT = 1;

  private final BulkheadConfig config;
  private final Semaphore slots;
  private final long maxWaitNanos;
  private final Ticker ticker;
  private final Ewma holdTime = new Ewma(TimeUnit.MILLISECONDS.toNanos(1));
  private final ShedMeters meters;

  SemaphoreBulkhead(BulkheadConfig config, Ticker ticker, MeterRegistry registry) {
    this.config = config;
    this.slots = new Semaphore(config.maxConcurrentCalls());
    this.maxWaitNanos = Check.saturatedNanos(config.maxWait());
    this.ticker = ticker;
    this.meters = ShedMeters.create(registry, "ballast.bulkhead", config.name(), null,
        List.of("full", "wait-timeout"), true);
    meters.gauge("limit", null, config, c -> c.maxConcurrentCalls());
    meters.gauge("inflight", null, this, SemaphoreBulkhead::inFlight);
  }

  @Override
  public boolean tryAcquire() {
    return slots.tryAcquire();
  }

  @Override
  public boolean acquire(Duration timeout) throws InterruptedException {
    Check.notNegative(timeout, "timeout");
    return slots.tryAcquire() || slots.tryAcquire(Check.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
  }

  @Override
  public void release() {
    // Not atomic with the release below, so two racing bad releases could both pass; one is always caught.
    if (slots.availablePermits() >= config.maxConcurrentCalls()) {
      throw new IllegalStateException("Bulkhead '" + config.name() + "': release() without a slot taken");
    }
    slots.release();
  }

  @Override
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    long start = ticker.read();
    if (!slots.tryAcquire()) {
      if (maxWaitNanos == 0) {
        throw reject(FULL);
      }
      if (!slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS)) {
        throw reject(WAIT_TIMEOUT);
      }
      long acquired = ticker.read();
      meters.waited(acquired - start);
      start = acquired;
    }
    meters.accepted(0);
    try {
      return action.get();
    } finally {
      holdTime.add(ticker.read() - start);
      slots.release();
    }
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    if (!slots.tryAcquire()) {
      return CompletableFuture.failedFuture(reject(FULL));
    }
    meters.accepted(0);
    long start = ticker.read();
    return HeldPermit.run(action, (result, error) -> {
      holdTime.add(ticker.read() - start);
      slots.release();
    });
  }

  private BulkheadFullException reject(int reason) {
    meters.rejected(0, reason);
    return new BulkheadFullException(config.name(), config.maxConcurrentCalls(), holdTime.nanos());
  }

  @Override
  public int inFlight() {
    return config.maxConcurrentCalls() - slots.availablePermits();
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public BulkheadConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "Bulkhead[" + config.name() + ", " + inFlight() + "/" + config.maxConcurrentCalls() + "]";
  }
}
