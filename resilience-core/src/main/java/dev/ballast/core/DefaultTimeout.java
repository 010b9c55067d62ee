package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import dev.ballast.core.internal.SharedScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** The {@link Timeout} implementation; per-call state lives in the call's own objects. */
final class DefaultTimeout implements Timeout {

  private final TimeoutConfig config;
  private final Ticker ticker;
  private final ScheduledExecutorService scheduler;
  private final long limitNanos;
  private final Counter completed;
  private final Counter timedOut;

  DefaultTimeout(TimeoutConfig config, Ticker ticker, ScheduledExecutorService scheduler,
      MeterRegistry registry) {
    this.config = config;
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.limitNanos = Check.saturatedNanos(config.limit());
    this.completed = registry == null ? null : counter(registry, "completed");
    this.timedOut = registry == null ? null : counter(registry, "timed_out");
  }

  private Counter counter(MeterRegistry registry, String result) {
    return Counter.builder("ballast.timeout.calls")
        .description("Calls through the timeout, by whether they finished in time")
        .tag("name", config.name())
        .tag("result", result)
        .register(registry);
  }

  @Override
  public TimeoutConfig config() {
    return config;
  }

  @Override
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    long start = ticker.read();
    Interrupter interrupter = config.interrupt() ? new Interrupter(Thread.currentThread()) : null;
    ScheduledFuture<?> timer =
        interrupter != null ? scheduler.schedule(interrupter, limitNanos, TimeUnit.NANOSECONDS) : null;
    T result;
    try {
      result = action.get();
    } catch (Exception failure) {
      if (finish(interrupter, timer) || ticker.read() - start > limitNanos) {
        // The failure is most likely our interrupt surfacing (InterruptedException, a closed channel).
        throw timedOut(failure);
      }
      count(completed);
      throw failure;
    }
    if (finish(interrupter, timer) || ticker.read() - start > limitNanos) {
      throw timedOut(null);
    }
    count(completed);
    return result;
  }

  /** Stops the timer; returns whether it already fired. */
  private static boolean finish(Interrupter interrupter, ScheduledFuture<?> timer) {
    if (interrupter == null) {
      return false;
    }
    timer.cancel(false);
    return interrupter.finish();
  }

  private TimeoutExceededException timedOut(Throwable cause) {
    count(timedOut);
    TimeoutExceededException exception = new TimeoutExceededException(config.name(), config.limit());
    if (cause != null) {
      exception.initCause(cause);
    }
    return exception;
  }

  private static void count(Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    CompletableFuture<T> promise = new CompletableFuture<>();
    CompletionStage<T> stage = Futures.start(action);
    // Whoever flips this first decides the outcome. The timer cancels the action and counts before it
    // completes the promise, so a caller who sees the timeout also sees the action cancelled and counted;
    // the cancellation it causes then finds the outcome taken and is ignored.
    AtomicBoolean decided = new AtomicBoolean();
    ScheduledFuture<?> timer;
    try {
      // The timer only fires; completing the promise (and whatever the caller chained on it) runs on
      // Ballast's async pool, never on the shared timer thread (nor on a thread started for the task).
      timer = SharedScheduler.runLater(scheduler, limitNanos, () -> {
        if (decided.compareAndSet(false, true)) {
          cancel(stage);
          count(timedOut);
          promise.completeExceptionally(new TimeoutExceededException(config.name(), config.limit()));
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      promise.completeExceptionally(e);
      return promise;
    }
    stage.whenComplete((result, error) -> {
      timer.cancel(false);
      if (decided.compareAndSet(false, true)) {
        count(completed);
        if (error != null) {
          promise.completeExceptionally(Futures.unwrap(error));
        } else {
          promise.complete(result);
        }
      }
    });
    return promise;
  }

  private static void cancel(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException notCancellable) {
      // Some stages cannot be converted; the caller has its timeout either way.
    }
  }

  @Override
  public String toString() {
    return "Timeout[" + config.name() + ", " + config.limit() + "]";
  }

  /**
   * Interrupts the calling thread at the limit, unless the call finished first. Both sides synchronize
   * on this object, so an interrupt is never delivered after {@link #finish} returned: a thread never
   * leaves a timed call with a stray interrupt flag set.
   */
  private static final class Interrupter implements Runnable {
    private final Thread thread;
    private boolean done;
    private boolean fired;

    Interrupter(Thread thread) {
      this.thread = thread;
    }

    @Override
    public synchronized void run() {
      if (!done) {
        fired = true;
        thread.interrupt();
      }
    }

    /** Called on the timed thread when the call ends; returns whether the limit was reached first. */
    synchronized boolean finish() {
      done = true;
      if (fired) {
        Thread.interrupted(); // clear our own interrupt so it does not leak into the caller's code
      }
      return fired;
    }
  }
}
