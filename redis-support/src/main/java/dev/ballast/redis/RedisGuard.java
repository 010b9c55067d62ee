package dev.ballast.redis;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.CircuitBreakerBuilder;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import dev.ballast.redis.internal.LogGate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands between a module and Redis so that an outage never reaches the module's callers: each Redis
 * call runs through a {@link CircuitBreaker} (a dead or paused Redis stops costing a timeout per call),
 * and a failed or short-circuited call gets the module's safe fallback instead (L1 and the loader, the
 * local limiter, the last known state).
 *
 * <p>Every failure is classified once, by {@link RedisErrorKind#classify(Throwable)}:
 * <ul>
 *   <li>an <em>outage</em> ({@linkplain RedisErrorKind#isOutage() connection, timeout, unavailable,
 *       authentication}) feeds the breaker; when it opens, the outage is logged once when it starts
 *       (WARN, with the first error) and once when it ends (INFO, with its length and how many calls fell
 *       back), never per call;
 *   <li>a <em>data error</em> (wrong type, script error, cross-slot, no permission, out of memory, another
 *       error reply, a client-side failure) fails that call only: Redis answered, so the breaker records
 *       a success; it is logged at WARN at most once a minute per kind, with how many happened since the
 *       last line;
 *   <li>an <em>interrupt</em> of the caller is no Redis failure: the breaker's permission is given back,
 *       nothing is counted or logged, and the thread's interrupt flag is set again.
 * </ul>
 * Outages and data errors are counted in {@code ballast.redis.errors{component,kind}} (the kind's
 * {@link RedisErrorKind#tag() tag}); calls served by a fallback in {@code ballast.redis.fallbacks}, outages
 * in {@code ballast.redis.outages}, and the gauge {@code ballast.redis.up} is 0 during an outage; each is
 * tagged with the component's name. Guards of the same component on the same registry (two caches of one
 * name in a JVM, a cache re-created) share these meters: the counters add up, and the gauge is 0 while
 * any live guard of the component is in an outage. {@link #close()} takes a guard out of the gauge; the
 * owner calls it when it closes.
 *
 * <p>{@link #call} and {@link #callAsync} give the fallback for every failure; {@link #attempt} and
 * {@link #attemptAsync} say what happened ({@link RedisReply}), for callers that must not report a write
 * Redis did not apply as done.
 *
 * <p>Thread-safe: the outage flag flips by CAS, so exactly one thread logs each start and each end; the
 * per-kind WARN slot is taken by CAS, so one thread logs each line.
 */
public final class RedisGuard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisGuard.class);
  private static final RedisErrorKind[] KINDS = RedisErrorKind.values();
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);
  @SuppressWarnings("rawtypes")
  private static final RedisReply.ShortCircuited SHORT_CIRCUITED = new RedisReply.ShortCircuited<>();

  private final String component;
  private final CircuitBreaker breaker;
  private final Ticker ticker;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong downSince = new AtomicLong();
  private final AtomicLong fallbacksThisOutage = new AtomicLong();
  /** {@code ballast.redis.errors} per kind, registered at the kind's first error (null: not yet). */
  private final AtomicReferenceArray<Counter> errors = new AtomicReferenceArray<>(KINDS.length);
  /** Per data-error kind: a WARN at most once a minute, with how many errors since the last one. */
  private final LogGate[] warnings = new LogGate[KINDS.length];
  private final Counter fallbacks;
  private final Counter outages;
  private final @Nullable MeterRegistry registry;
  /** Null without a registry. */
  private final RedisUpGauge upGauge;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisGuard(String component, CircuitBreaker breaker, Ticker ticker, @Nullable MeterRegistry registry) {
    this.component = Check.notBlank(component, "RedisGuard.component");
    this.breaker = Check.notNull(breaker, "RedisGuard.breaker");
    this.ticker = Check.notNull(ticker, "RedisGuard.ticker");
    this.registry = registry;
    for (int i = 0; i < KINDS.length; i++) {
      warnings[i] = new LogGate(ticker, WARN_EVERY); // open: the first data error of each kind is logged at once
    }
    if (registry != null) {
      fallbacks = counter(registry, "ballast.redis.fallbacks", "Calls served by the fallback instead of Redis");
      outages = counter(registry, "ballast.redis.outages", "Times Redis became unreachable");
      // Last: from here on a scrape on another thread may ask this guard whether it is down.
      upGauge = RedisUpGauge.join(registry, component, this);
    } else {
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
   * @param registry where to count, or null for no metrics; the breaker's {@code ballast.circuitbreaker.*}
   *     meters go there too, named {@code redis:COMPONENT}
   */
  public static RedisGuard create(String component, @Nullable MeterRegistry registry) {
    return create(component, defaultBreaker(component, Ticker.system(), registry), Ticker.system(), registry);
  }

  /** A guard around {@code breaker}, reading time from {@code ticker}. */
  public static RedisGuard create(String component, CircuitBreaker breaker, Ticker ticker,
      @Nullable MeterRegistry registry) {
    return new RedisGuard(component, breaker, ticker, registry);
  }

  /**
   * The breaker {@link #create(String, MeterRegistry)} uses, without meters, for callers that only change
   * the ticker.
   */
  public static CircuitBreaker defaultBreaker(String component, Ticker ticker) {
    return defaultBreaker(component, ticker, null);
  }

  /**
   * The breaker {@link #create(String, MeterRegistry)} uses, named {@code redis:COMPONENT}, publishing its
   * {@code ballast.circuitbreaker.*} meters to {@code registry} (null: none).
   */
  public static CircuitBreaker defaultBreaker(String component, Ticker ticker, @Nullable MeterRegistry registry) {
    CircuitBreakerBuilder builder = CircuitBreaker.builder()
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
        .ticker(ticker);
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    return builder.build();
  }

  private Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).tag("component", component).register(registry);
  }

  /**
   * Runs a synchronous Redis call, or returns {@code fallback}'s value when the call fails or the
   * breaker is open. Never throws what Redis threw; what {@code fallback} throws reaches the caller.
   * Failures are classified, counted and logged as the class comment says.
   *
   * @throws NullPointerException if {@code redisCall} or {@code fallback} is null
   */
  public <T extends @Nullable Object> T call(Supplier<T> redisCall, Supplier<T> fallback) {
    Check.notNull(fallback, "fallback");
    return valueOrFallback(attempt(redisCall), fallback);
  }

  /**
   * Runs an asynchronous Redis call; the returned stage completes with the call's value, or with
   * {@code fallback}'s when the call fails or the breaker is open (or with what {@code fallback} threw).
   * Never completes with what Redis threw.
   *
   * @throws NullPointerException if {@code redisCall} or {@code fallback} is null
   */
  public <T extends @Nullable Object> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> redisCall, Supplier<T> fallback) {
    Check.notNull(fallback, "fallback");
    return attemptAsync(redisCall).thenApply(reply -> valueOrFallback(reply, fallback));
  }

  /**
   * Runs a synchronous Redis call and says what happened: {@link RedisReply.Ok} with its value,
   * {@link RedisReply.Failed} with the classified failure (recorded as for {@link #call}: an outage feeds
   * the breaker, a data error is counted and logged, an interrupt only sets the thread's flag again), or
   * {@link RedisReply.ShortCircuited} when the breaker is open and Redis was not asked. Never throws what
   * the call threw, except an {@link Error}, which is rethrown after the breaker's permission is given
   * back (it says nothing about Redis).
   *
   * @throws NullPointerException if {@code redisCall} is null
   */
  public <T extends @Nullable Object> RedisReply<T> attempt(Supplier<T> redisCall) {
    Check.notNull(redisCall, "redisCall");
    if (!breaker.tryAcquirePermission()) {
      return shortCircuited();
    }
    long start = ticker.read();
    T value;
    try {
      value = redisCall.get();
    } catch (RuntimeException e) {
      return new RedisReply.Failed<>(record(start, e, true), e);
    } catch (Error e) {
      breaker.releasePermission(); // no outcome of Redis's: a held half-open probe would refuse every call
      throw e;
    }
    onSuccess(start);
    return new RedisReply.Ok<>(value);
  }

  /**
   * Runs an asynchronous Redis call; the returned stage completes with what happened, as
   * {@link #attempt} says, and never exceptionally. An interrupt seen on the stage is not counted, and no
   * thread's flag is touched (the stage completes on a Redis client's thread, not the caller's). An
   * {@link Error} thrown by {@code redisCall} itself is rethrown, as by {@link #attempt}.
   *
   * @throws NullPointerException if {@code redisCall} is null
   */
  public <T extends @Nullable Object> CompletionStage<RedisReply<T>> attemptAsync(Supplier<? extends CompletionStage<T>> redisCall) {
    Check.notNull(redisCall, "redisCall");
    if (!breaker.tryAcquirePermission()) {
      return CompletableFuture.completedFuture(shortCircuited());
    }
    long start = ticker.read();
    CompletionStage<T> stage;
    try {
      stage = redisCall.get();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new RedisReply.Failed<>(record(start, e, true), e));
    } catch (Error e) {
      breaker.releasePermission();
      throw e;
    }
    if (stage == null) {
      NullPointerException e = new NullPointerException("the Redis call returned a null CompletionStage");
      return CompletableFuture.completedFuture(new RedisReply.Failed<>(record(start, e, true), e));
    }
    return stage.handle((value, error) -> {
      if (error == null) {
        onSuccess(start);
        return new RedisReply.Ok<>(value);
      }
      Throwable cause = Futures.unwrap(error);
      return new RedisReply.Failed<>(record(start, cause, false), cause);
    });
  }

  private <T extends @Nullable Object> T valueOrFallback(RedisReply<T> reply, Supplier<T> fallback) {
    if (reply instanceof RedisReply.Ok<T> ok) {
      return ok.value();
    }
    if (!(reply instanceof RedisReply.Failed<T> failed && failed.kind() == RedisErrorKind.INTERRUPTED)) {
      onFallback();
    }
    return fallback.get();
  }

  @SuppressWarnings("unchecked")
  private static <T extends @Nullable Object> RedisReply<T> shortCircuited() {
    return (RedisReply<T>) SHORT_CIRCUITED;
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

  /**
   * Records a Redis call that failed, by its {@linkplain RedisErrorKind#classify kind}: an outage feeds
   * the breaker (and starts an outage if it opens), a data error counts as an answer from Redis (counted
   * and logged at most once a minute per kind), an interrupt gives the permission back and sets the
   * current thread's interrupt flag again. Call it on the thread that made the call.
   *
   * @return the kind {@code error} was classified as
   * @throws NullPointerException if {@code error} is null
   */
  public RedisErrorKind onFailure(long startNanos, Throwable error) {
    return record(startNanos, error, true);
  }

  private RedisErrorKind record(long startNanos, Throwable error, boolean onCallerThread) {
    RedisErrorKind kind = RedisErrorKind.classify(error);
    if (kind == RedisErrorKind.INTERRUPTED) {
      breaker.releasePermission();
      if (onCallerThread) {
        Thread.currentThread().interrupt();
      }
      return kind;
    }
    count(kind);
    if (!kind.isOutage()) {
      onSuccess(startNanos); // Redis answered: this key, value or script is the problem, not Redis
      warnAtMostOnceAMinute(kind, error);
      return kind;
    }
    breaker.onError(ticker.read() - startNanos, error);
    // An outage starts when the breaker stops trusting Redis; a sporadic failure is served by the
    // fallback and counted in ballast.redis.errors, but it is no outage.
    if (!down.get() && breaker.state() != CircuitBreaker.State.CLOSED && down.compareAndSet(false, true)) {
      downSince.set(ticker.read());
      increment(outages);
      if (kind == RedisErrorKind.AUTHENTICATION) {
        log.warn("Redis authentication failed for {}: {}; serving fallbacks until the credentials work", component,
            String.valueOf(error));
      } else {
        log.warn("Redis is unavailable for {}: {}; serving fallbacks until it answers again", component,
            String.valueOf(error));
      }
    }
    return kind;
  }

  private void warnAtMostOnceAMinute(RedisErrorKind kind, Throwable error) {
    long errors = warnings[kind.ordinal()].pass();
    if (errors > 0) {
      log.warn("Redis refused a call of {} ({}): {}; that call failed alone, Redis stays in use for the others "
          + "({} of this kind since the last line, which is logged at most once a minute)", component, kind.tag(),
          String.valueOf(error), errors);
    }
  }

  private void count(RedisErrorKind kind) {
    if (registry == null) {
      return;
    }
    Counter counter = errors.get(kind.ordinal());
    if (counter == null) {
      // Registered at the first error of the kind, so a component shows only the kinds it has seen.
      counter = Counter.builder("ballast.redis.errors").description("Redis calls that failed, by kind")
          .tag("component", component).tag("kind", kind.tag()).register(registry);
      errors.set(kind.ordinal(), counter); // a race registers the same meter twice: Micrometer returns one
    }
    counter.increment();
  }

  /** Counts a call that was served by the fallback (for callers using {@link #tryAcquire}). */
  public void onFallback() {
    fallbacksThisOutage.incrementAndGet();
    increment(fallbacks);
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
