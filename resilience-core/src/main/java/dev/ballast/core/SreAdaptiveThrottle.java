package dev.ballast.core;

import dev.ballast.core.internal.Futures;
import dev.ballast.core.internal.ShedMeters;
import dev.ballast.core.internal.SlidingTimeWindow;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@link AdaptiveThrottle} over a {@link SlidingTimeWindow} of two counters (requests, accepts) in 20
 * slices of the window; the window's own design note says what a reader may assume (lock-free, may
 * under-count the few nanoseconds around a slice change).
 */
final class SreAdaptiveThrottle implements AdaptiveThrottle {

  private static final int SLICES = 20;
  private static final int REQUESTS = 0;
  private static final int ACCEPTS = 1;

  private final AdaptiveThrottleConfig config;
  private final SlidingTimeWindow window;
  private final long sliceNanos;
  private final Ticker ticker;
  private final DoubleSupplier random;
  private final Predicate<Throwable> rejectedWhen;
  private final Predicate<Object> rejectedOnResult;
  private final ShedMeters meters;

  SreAdaptiveThrottle(AdaptiveThrottleConfig config, Ticker ticker, DoubleSupplier random,
      Predicate<Throwable> rejectedWhen, Predicate<Object> rejectedOnResult, MeterRegistry registry) {
    this.config = config;
    this.sliceNanos = config.window().toNanos() / SLICES;
    this.window = new SlidingTimeWindow(SLICES, sliceNanos, 2);
    this.ticker = ticker;
    this.random = random;
    this.rejectedWhen = rejectedWhen;
    this.rejectedOnResult = rejectedOnResult;
    this.meters = ShedMeters.create(registry, "ballast.throttle", config.name(), null, List.of("throttled"), false);
    meters.gauge("probability", null, this, AdaptiveThrottle::rejectionProbability);
  }

  /** The SRE book's formula; a pure function so tests can check it by itself. */
  static double probability(long requests, long accepts, double k) {
    return Math.max(0.0, (requests - k * accepts) / (requests + 1));
  }

  @Override
  public double rejectionProbability() {
    long now = ticker.read();
    return probability(window.sum(now, REQUESTS), window.sum(now, ACCEPTS), config.k());
  }

  @Override
  public boolean tryAcquire() {
    long now = ticker.read();
    double p = probability(window.sum(now, REQUESTS), window.sum(now, ACCEPTS), config.k());
    window.add(now, REQUESTS, 1);
    // p == 0 needs no random number: the common, healthy case stays cheap.
    if (p > 0 && random.getAsDouble() < p) {
      meters.rejected(0, 0);
      return false;
    }
    meters.accepted(0);
    return true;
  }

  @Override
  public void onAccepted() {
    window.add(ticker.read(), ACCEPTS, 1);
  }

  @Override
  public void onRejected() {
    // A request counted by tryAcquire and not accepted: nothing more to count.
  }

  /** A policy inside the throttle refused the call: it never reached the dependency, so uncount it. */
  private void onNotSent() {
    window.add(ticker.read(), REQUESTS, -1);
  }

  @Override
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    if (!tryAcquire()) {
      throw rejection();
    }
    T result;
    try {
      result = action.get();
    } catch (Throwable failure) {
      record(null, failure);
      throw failure;
    }
    record(result, null);
    return result;
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    if (!tryAcquire()) {
      return CompletableFuture.failedFuture(rejection());
    }
    CompletionStage<T> stage = Futures.start(action);
    stage.whenComplete((result, error) -> record(result, error == null ? null : Futures.unwrap(error)));
    return stage;
  }

  private void record(Object result, Throwable failure) {
    if (failure instanceof CallRejectedException) {
      onNotSent();
    } else if (failure != null ? rejectedWhen.test(failure) : rejectedOnResult.test(result)) {
      onRejected();
    } else {
      onAccepted();
    }
  }

  private ThrottledException rejection() {
    return new ThrottledException(config.name(), rejectionProbability(), sliceNanos);
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public AdaptiveThrottleConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "AdaptiveThrottle[" + config.name() + ", p=" + rejectionProbability() + "]";
  }
}
