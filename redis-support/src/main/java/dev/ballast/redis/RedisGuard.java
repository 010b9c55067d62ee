package dev.ballast.redis;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands between a module and Redis so that an outage never reaches the module's callers: each Redis
 * call runs through a {@link CircuitBreaker} (a dead or paused Redis stops costing a timeout per call),
 * and a failed or short-circuited call gets the module's safe fallback instead (L1 and the loader, the
 * local limiter, the last known state).
 *
 * <p>An outage is logged once when it starts (WARN, with the first error) and once when it ends (INFO,
 * with its length and how many calls fell back), never per call; it is counted in
 * {@code ballast.redis.errors}, {@code ballast.redis.fallbacks}, {@code ballast.redis.outages} and
 * the gauge {@code ballast.redis.up}, each tagged with the component's name. Guards of the same
 * component on the same registry (two caches of one name in a JVM, a cache re-created) share these
 * meters: the counters add up, and the gauge is 0 while any live guard of the component is in an
 * outage. {@link #close()} takes a guard out of the gauge; the owner calls it when it closes.
 *
 * <p>Thread-safe: the outage flag flips by CAS, so exactly one thread logs each start and each end.
 */
public final class RedisGuard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisGuard.class);

  private final String component;
  private final CircuitBreaker breaker;
  private final Ticker ticker;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong downSince = new AtomicLong();
  private final AtomicLong fallbacksThisOutage = new AtomicLong();
  private final Counter errors;
  private final Counter fallbacks;
  private final Counter outages;
  private final MeterRegistry registry;
  /** Null without a registry. */
  private final RedisUpGauge upGauge;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisGuard(String component, CircuitBreaker breaker, Ticker ticker, MeterRegistry registry) {
    this.component = Check.notBlank(component, "RedisGuard.component");
    this.breaker = Check.notNull(breaker, "RedisGuard.breaker");
    this.ticker = Check.notNull(ticker, "RedisGuard.ticker");
    this.registry = registry;
    if (registry != null) {
      errors = counter(registry, "ballast.redis.errors", "Redis calls that failed");
      fallbacks = counter(registry, "ballast.redis.fallbacks", "Calls served by the fallback instead of Redis");
      outages = counter(registry, "ballast.redis.outages", "Times Redis became unreachable");
      // Last: from here on a scrape on another thread may ask this guard whether it is down.
      upGauge = RedisUpGauge.join(registry, component, this);
    } else {
      errors = null;
      fallbacks = null;
      outages = null;
      upGauge = null;
    }
  }

  /**
   * A guard with the default breaker: opens when half of the last 20 calls (at least 5) failed or took
   * over 250 ms, and probes Redis again after one second.
   *
   * @param component names the module or instance in logs and meter tags, e.g. {@code "cache:products"}
   * @param registry where to count, or null for no metrics
   */
  public static RedisGuard create(String component, MeterRegistry registry) {
    return create(component, defaultBreaker(component, Ticker.system()), Ticker.system(), registry);
  }

  /** A guard around {@code breaker}, reading time from {@code ticker}. */
  public static RedisGuard create(String component, CircuitBreaker breaker, Ticker ticker, MeterRegistry registry) {
    return new RedisGuard(component, breaker, ticker, registry);
  }

  /** The breaker {@link #create(String, MeterRegistry)} uses, for callers that only change the ticker. */
  public static CircuitBreaker defaultBreaker(String component, Ticker ticker) {
    return CircuitBreaker.builder()
        .name("redis:" + component)
        .countWindow(20)
        .minimumCalls(5)
        .failureRateThreshold(0.5)
        .slowCallDuration(Duration.ofMillis(250))
        .slowCallRateThreshold(0.5)
        .openDuration(Duration.ofSeconds(1))
        .halfOpenProbes(1)
        // A probe Redis has not answered in 5 s is a failure whatever the client's timeout: probe again
        // rather than refuse every call until a hung command gives up (Lettuce's default: 60 s).
        .maxHalfOpenDuration(Duration.ofSeconds(5))
        .ticker(ticker)
        .build();
  }

  private Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).tag("component", component).register(registry);
  }

  /**
   * Runs a synchronous Redis call, or returns {@code fallback}'s value when the call fails or the
   * breaker is open. Never throws what Redis threw.
   */
  public <T> T call(Supplier<T> redisCall, Supplier<T> fallback) {
    if (!breaker.tryAcquirePermission()) {
      return fallBack(fallback);
    }
    long start = ticker.read();
    T value;
    try {
      value = redisCall.get();
    } catch (RuntimeException e) {
      onFailure(start, e);
      return fallBack(fallback);
    }
    onSuccess(start);
    return value;
  }

  /**
   * Runs an asynchronous Redis call; the returned stage completes with the call's value, or with
   * {@code fallback}'s when the call fails or the breaker is open. Never completes with what Redis threw.
   */
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> redisCall, Supplier<T> fallback) {
    if (!breaker.tryAcquirePermission()) {
      return CompletableFuture.completedFuture(fallBack(fallback));
    }
    long start = ticker.read();
    CompletionStage<T> stage;
    try {
      stage = redisCall.get();
    } catch (RuntimeException e) {
      onFailure(start, e);
      return CompletableFuture.completedFuture(fallBack(fallback));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      if (error == null) {
        onSuccess(start);
        result.complete(value);
        return;
      }
      onFailure(start, Futures.unwrap(error));
      try {
        result.complete(fallBack(fallback));
      } catch (RuntimeException fallbackFailure) {
        result.completeExceptionally(fallbackFailure);
      }
    });
    return result;
  }

  /**
   * For callers that drive the breaker themselves (a script whose outcome they inspect): whether a
   * Redis call may be attempted now. Pair each {@code true} with {@link #onSuccess} or {@link #onFailure}.
   */
  public boolean tryAcquire() {
    return breaker.tryAcquirePermission();
  }

  /** Records a Redis call that answered; ends an outage if one was on. */
  public void onSuccess(long startNanos) {
    breaker.onSuccess(ticker.read() - startNanos);
    // The outage ends when the breaker has closed again, not at the first success: a Redis that fails
    // every other call must not log "unavailable" and "back" for every pair of calls.
    if (down.get() && breaker.state() == CircuitBreaker.State.CLOSED && down.compareAndSet(true, false)) {
      long lasted = ticker.read() - downSince.get();
      log.info("Redis is back for {} after {} ms; {} calls were served by the fallback meanwhile", component,
          lasted / 1_000_000, fallbacksThisOutage.getAndSet(0));
    }
  }

  /** Records a Redis call that failed; starts an outage if none was on. */
  public void onFailure(long startNanos, Throwable error) {
    breaker.onError(ticker.read() - startNanos, error);
    increment(errors);
    // An outage starts when the breaker stops trusting Redis; a sporadic failure is served by the
    // fallback and counted in ballast.redis.errors, but it is no outage.
    if (!down.get() && breaker.state() != CircuitBreaker.State.CLOSED && down.compareAndSet(false, true)) {
      downSince.set(ticker.read());
      increment(outages);
      log.warn("Redis is unavailable for {}: {}; serving fallbacks until it answers again", component,
          String.valueOf(error));
    }
  }

  /** Counts a call that was served by the fallback (for callers using {@link #tryAcquire}). */
  public void onFallback() {
    fallbacksThisOutage.incrementAndGet();
    increment(fallbacks);
  }

  private <T> T fallBack(Supplier<T> fallback) {
    onFallback();
    return fallback.get();
  }

  /**
   * Whether an outage is on: it starts when failures open the breaker around Redis and ends at the first
   * success after the breaker closed again.
   */
  public boolean isDown() {
    return down.get();
  }

  /** The breaker around Redis, for metrics and tests. */
  public CircuitBreaker breaker() {
    return breaker;
  }

  /** The component name used in logs and tags. */
  public String component() {
    return component;
  }

  /**
   * Takes this guard out of the {@code ballast.redis.up} gauge of its component, which then reports
   * only the component's other live guards (and is removed from the registry with the last of them).
   * The guard still works afterwards, it just no longer counts there. Idempotent; closes nothing else
   * (the connection and the breaker belong to the caller).
   */
  @Override
  public void close() {
    if (upGauge != null && closed.compareAndSet(false, true)) {
      upGauge.leave(registry, this);
    }
  }

  private static void increment(Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }
}
