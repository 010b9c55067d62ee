package dev.ballast.core;

import dev.ballast.core.internal.AdaptiveLimit;
import dev.ballast.core.internal.AimdLimit;
import dev.ballast.core.internal.Ewma;
import dev.ballast.core.internal.GradientLimit;
import dev.ballast.core.internal.HeldPermit;
import dev.ballast.core.internal.ShedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@link ConcurrencyLimiter} over one {@link AdaptiveLimit}.
 *
 * <p>Design: shared state is the total in-flight count and one count per partition (atomic integers,
 * changed by CAS loops bounded by the limit or the partition's share), and the limit (a volatile int).
 * Acquiring reads the limit and does one or two CASes: no lock, no allocation. The algorithm's state is
 * not thread-safe; the thread that wins {@link #updating} feeds it one sample, and a thread that finds
 * it taken skips its sample (the limit is a statistic; waiting would put a lock on every release). A
 * reader may see a limit one update old.
 */
final class AdaptiveConcurrencyLimiter implements ConcurrencyLimiter {

  private static final int SUCCESS = 0;
  private static final int DROPPED = 1;
  private static final int IGNORED = 2;

  private final ConcurrencyLimiterConfig config;
  private final List<String> names;
  private final double[] shares;
  private final AtomicInteger[] partitionInFlight;
  /** False without named partitions: then the total count is the default partition's, kept once. */
  private final boolean partitioned;
  private final Policy[] views;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean updating = new AtomicBoolean();
  private final AdaptiveLimit algorithm;
  private volatile int limit;
  private final Predicate<Throwable> dropWhen;
  private final Predicate<Object> dropOnResult;
  private final Ticker ticker;
  private final Ewma latency = new Ewma(TimeUnit.MILLISECONDS.toNanos(1));
  private final ShedMeters meters;

  AdaptiveConcurrencyLimiter(ConcurrencyLimiterConfig config, Predicate<Throwable> dropWhen,
      Predicate<Object> dropOnResult, Ticker ticker, MeterRegistry registry) {
    this.config = config;
    this.dropWhen = dropWhen;
    this.dropOnResult = dropOnResult;
    this.ticker = ticker;
    List<String> partitionNames = new ArrayList<>();
    List<Double> partitionShares = new ArrayList<>();
    partitionNames.add(DEFAULT_PARTITION);
    double named = 0;
    for (Map.Entry<String, Double> share : config.partitions().entrySet()) {
      if (!share.getKey().equals(DEFAULT_PARTITION)) {
        partitionNames.add(share.getKey());
        partitionShares.add(share.getValue());
      }
      named += share.getValue();
    }
    Double explicitDefault = config.partitions().get(DEFAULT_PARTITION);
    partitionShares.add(0, explicitDefault != null ? explicitDefault : Math.max(0.0, 1.0 - named));
    this.names = List.copyOf(partitionNames);
    this.shares = partitionShares.stream().mapToDouble(Double::doubleValue).toArray();
    this.partitionInFlight = new AtomicInteger[names.size()];
    this.partitioned = names.size() > 1;
    this.views = new Policy[names.size()];
    for (int p = 0; p < names.size(); p++) {
      partitionInFlight[p] = new AtomicInteger();
      views[p] = new Partition(this, p);
    }
    this.algorithm = newState(config, ticker.read());
    this.limit = algorithm.limit();
    this.meters = ShedMeters.create(registry, "ballast.concurrency", config.name(),
        config.partitions().isEmpty() ? null : names, List.of("limit"), false);
    meters.gauge("limit", null, this, ConcurrencyLimiter::limit);
    for (int p = 0; p < names.size(); p++) {
      AtomicInteger count = partitioned ? partitionInFlight[p] : inFlight;
      meters.gauge("inflight", names.get(p), count, AtomicInteger::get);
    }
  }

  private static AdaptiveLimit newState(ConcurrencyLimiterConfig config, long now) {
    ConcurrencyLimitAlgorithm algorithm = config.algorithm();
    if (algorithm instanceof ConcurrencyLimitAlgorithm.Aimd aimd) {
      return new AimdLimit(aimd, config.initialLimit(), config.minLimit(), config.maxLimit());
    }
    return new GradientLimit((ConcurrencyLimitAlgorithm.Gradient) algorithm, config.initialLimit(),
        config.minLimit(), config.maxLimit(), now);
  }

  @Override
  public long tryAcquire(int partition) {
    AtomicInteger mine = partitionInFlight[partition];
    int max = limit;
    // Anyone may use spare room below the limit.
    for (int total = inFlight.get(); total < max; total = inFlight.get()) {
      if (inFlight.compareAndSet(total, total + 1)) {
        if (partitioned) {
          mine.incrementAndGet();
        }
        meters.accepted(partition);
        return ticker.read();
      }
    }
    if (!partitioned) {
      meters.rejected(partition, 0);
      return REJECTED;
    }
    // At the limit, a partition still under its guaranteed share goes ahead.
    int guaranteed = (int) Math.ceil(max * shares[partition]);
    for (int own = mine.get(); own < guaranteed; own = mine.get()) {
      if (mine.compareAndSet(own, own + 1)) {
        inFlight.incrementAndGet();
        meters.accepted(partition);
        return ticker.read();
      }
    }
    meters.rejected(partition, 0);
    return REJECTED;
  }

  @Override
  public void onSuccess(int partition, long token) {
    release(partition, token, SUCCESS);
  }

  @Override
  public void onDropped(int partition, long token) {
    release(partition, token, DROPPED);
  }

  @Override
  public void onIgnored(int partition, long token) {
    release(partition, token, IGNORED);
  }

  private void release(int partition, long token, int outcome) {
    if (token == REJECTED) {
      // Releasing a refusal would drive the counts below zero and widen the limit for good.
      throw new IllegalArgumentException("ConcurrencyLimiter '" + config.name() + "': a REJECTED token holds no slot");
    }
    long now = ticker.read();
    int wasInFlight = inFlight.getAndDecrement();
    if (partitioned) {
      partitionInFlight[partition].decrementAndGet();
    }
    if (outcome == IGNORED) {
      return;
    }
    latency.add(now - token);
    if (updating.compareAndSet(false, true)) {
      try {
        int next = algorithm.onSample(now, token, wasInFlight, outcome == DROPPED);
        if (next != limit) {
          limit = next; // a volatile write is a fence: only when the limit moved
        }
      } finally {
        updating.setRelease(false); // a release store suffices to hand the flag on
      }
    }
  }

  @Override
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    return callIn(0, action);
  }

  @Override
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    return callAsyncIn(0, action);
  }

  <T> T callIn(int partition, CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    long token = tryAcquire(partition);
    if (token == REJECTED) {
      throw rejection(partition);
    }
    T result;
    try {
      result = action.get();
    } catch (Throwable failure) {
      release(partition, token, dropWhen.test(failure) ? DROPPED : IGNORED);
      throw failure;
    }
    release(partition, token, dropOnResult.test(result) ? DROPPED : SUCCESS);
    return result;
  }

  <T> CompletionStage<T> callAsyncIn(int partition, Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    long token = tryAcquire(partition);
    if (token == REJECTED) {
      return CompletableFuture.failedFuture(rejection(partition));
    }
    return HeldPermit.run(action, (result, error) -> release(partition, token, outcome(result, error)));
  }

  private int outcome(Object result, Throwable error) {
    if (error == null) {
      return dropOnResult.test(result) ? DROPPED : SUCCESS;
    }
    return error instanceof CancellationException || !dropWhen.test(error) ? IGNORED : DROPPED;
  }

  private ConcurrencyLimitExceededException rejection(int partition) {
    return new ConcurrencyLimitExceededException(config.name(), names.get(partition), limit, latency.nanos());
  }

  @Override
  public int partitionIndex(String name) {
    int index = names.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("ConcurrencyLimiter '" + config.name() + "' has no partition '" + name
          + "'; its partitions: " + names);
    }
    return index;
  }

  @Override
  public Policy partition(String name) {
    return views[partitionIndex(name)];
  }

  @Override
  public List<String> partitions() {
    return names;
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  /** Calls in flight in one partition; for tests and gauges. */
  int inFlight(int partition) {
    return partitioned ? partitionInFlight[partition].get() : inFlight.get();
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public ConcurrencyLimiterConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[" + config.name() + ", " + inFlight() + "/" + limit + "]";
  }

  /** The policy of one partition. */
  private static final class Partition implements Policy {
    private final AdaptiveConcurrencyLimiter limiter;
    private final int index;

    Partition(AdaptiveConcurrencyLimiter limiter, int index) {
      this.limiter = limiter;
      this.index = index;
    }

    @Override
    public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
      return limiter.callIn(index, action);
    }

    @Override
    public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
      return limiter.callAsyncIn(index, action);
    }

    @Override
    public String toString() {
      return limiter + "." + limiter.names.get(index);
    }
  }
}
