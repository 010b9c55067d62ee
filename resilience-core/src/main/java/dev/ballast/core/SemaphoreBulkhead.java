package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Ewma;
import dev.ballast.core.internal.HeldPermit;
import dev.ballast.core.internal.ShedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@link Bulkhead} on a non-fair {@link Semaphore}, with a queue of asynchronous calls waiting for a slot.
 *
 * <p>Design: the semaphore holds the free slots; a free slot is one CAS on its count, no lock and no
 * allocation. A synchronous caller that waits blocks in the semaphore's queue; an asynchronous one that
 * waits is a {@link WaitingAsyncCall} in {@code asyncWaiters} and holds no thread. A slot that frees goes
 * to the longest-waiting asynchronous call first (handed over without passing through the semaphore),
 * else back to the semaphore ({@link #freeSlot}). The hand-over cannot miss a waiter: a waiter re-tries
 * the semaphore after it enqueued, and a releaser looks at the queue again after it released.
 * A release without an acquire is caught by comparing the count with the bound, so a caller bug cannot
 * silently widen the bulkhead. The smoothed hold time behind the retry-after hint is a racy hint
 * ({@link Ewma}).
 */
final class SemaphoreBulkhead implements Bulkhead {

  static final int FULL = 0;
  static final int WAIT_TIMEOUT = 1;
  static final int QUEUE_FULL = 2;
  /** {@link #runHolding}'s {@code waitingSince} for a call that took a free slot at once. */
  static final long DID_NOT_WAIT = Long.MIN_VALUE;

  private final BulkheadConfig config;
  private final Semaphore slots;
  private final long maxWaitNanos;
  private final Ticker ticker;
  private final Ewma holdTime = new Ewma(TimeUnit.MILLISECONDS.toNanos(1));
  private final ShedMeters meters;
  private final ScheduledExecutorService scheduler;
  private final Executor executor;
  private final Queue<WaitingAsyncCall<?>> asyncWaiters = new ConcurrentLinkedQueue<>();
  /**
   * Asynchronous calls still {@code WAITING}: taken before a call enters the queue, given back by the one
   * transition that ends its wait (granted, timed out, cancelled). The queue's own size is O(n) and may count
   * calls that already ended but are not yet removed.
   */
  private final AtomicInteger waiting = new AtomicInteger();

  SemaphoreBulkhead(BulkheadConfig config, Ticker ticker, MeterRegistry registry, ScheduledExecutorService scheduler,
      Executor executor) {
    this.config = config;
    this.scheduler = scheduler;
    this.executor = executor;
    this.slots = new Semaphore(config.maxConcurrentCalls());
    this.maxWaitNanos = Check.saturatedNanos(config.maxWait());
    this.ticker = ticker;
    this.meters = ShedMeters.create(registry, "ballast.bulkhead", config.name(), null,
        List.of("full", "wait-timeout", "queue-full"), true);
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
    freeSlot();
  }

  /**
   * Gives back a slot the caller holds: to the longest-waiting asynchronous call, else to the semaphore.
   * After releasing to the semaphore it looks at the queue again: a call may have enqueued meanwhile, and
   * its own retry of the semaphore may have come before the release.
   */
  void freeSlot() {
    while (true) {
      WaitingAsyncCall<?> next = asyncWaiters.poll();
      if (next == null) {
        slots.release();
        if (asyncWaiters.isEmpty() || !slots.tryAcquire()) {
          return;
        }
      } else if (next.grant()) {
        return;
      }
    }
  }

  /** Takes an asynchronous call out of the queue once it stopped waiting (timed out, cancelled). */
  void forget(WaitingAsyncCall<?> call) {
    asyncWaiters.remove(call);
    stoppedWaiting();
  }

  /** A waiting call left {@code WAITING} (granted, or {@link #forget forgotten}): its place is free. */
  void stoppedWaiting() {
    waiting.decrementAndGet();
  }

  /** Asynchronous calls waiting now; for tests. */
  int waitingCalls() {
    return waiting.get();
  }

  /** Takes a place among the waiting calls, unless {@code maxWaitingCalls} already wait. */
  private boolean takeWaitingPlace() {
    int max = config.maxWaitingCalls();
    for (int n = waiting.get(); n < max; n = waiting.get()) {
      if (waiting.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
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
      freeSlot();
    }
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    if (slots.tryAcquire()) {
      return runHolding(action, DID_NOT_WAIT);
    }
    if (maxWaitNanos == 0) {
      return CompletableFuture.failedFuture(reject(FULL));
    }
    return waitForSlot(action);
  }

  /** Queues the call; it runs when a slot is handed to it, or fails when {@code maxWait} runs out. */
  private <T> CompletionStage<T> waitForSlot(Supplier<? extends CompletionStage<T>> action) {
    if (!takeWaitingPlace()) {
      return CompletableFuture.failedFuture(reject(QUEUE_FULL));
    }
    WaitingAsyncCall<T> call = new WaitingAsyncCall<>(this, action, executor, ticker.read());
    asyncWaiters.add(call);
    try {
      call.timer(scheduler.schedule(call::timeOut, maxWaitNanos, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      call.failToWait(e);
    }
    // A slot freed between the first try and the enqueue went to the semaphore: take it for the queue.
    if (slots.tryAcquire()) {
      freeSlot();
    }
    return call.promise();
  }

  /**
   * Runs {@code action} on a slot the caller holds, and gives the slot back exactly once when its stage
   * ends. {@code waitingSince} is when the call began waiting for the slot, or {@link #DID_NOT_WAIT}.
   */
  <T> CompletableFuture<T> runHolding(Supplier<? extends CompletionStage<T>> action, long waitingSince) {
    long start = ticker.read();
    if (waitingSince != DID_NOT_WAIT) {
      meters.waited(start - waitingSince);
    }
    meters.accepted(0);
    return HeldPermit.run(action, (result, error) -> {
      holdTime.add(ticker.read() - start);
      freeSlot();
    });
  }

  BulkheadFullException reject(int reason) {
    meters.rejected(0, reason);
    return reason == QUEUE_FULL
        ? new BulkheadFullException(config.name(), config.maxConcurrentCalls(), config.maxWaitingCalls(), holdTime.nanos())
        : new BulkheadFullException(config.name(), config.maxConcurrentCalls(), holdTime.nanos());
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
