package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.DefaultNames;
import dev.ballast.core.internal.OptionsSet;
import io.micrometer.core.instrument.MeterRegistry;
import dev.ballast.core.internal.SharedScheduler;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A fixed bound on concurrent calls, with an optional bounded wait for a free slot: the classic bulkhead
 * (Resilience4j's semaphore bulkhead, Failsafe's bulkhead, MicroProfile Fault Tolerance's
 * {@code @Bulkhead}). Use it to keep one slow dependency from taking every thread; use a
 * {@link ConcurrencyLimiter} when the right bound is not known in advance or changes.
 * <pre>{@code
 * Bulkhead bulkhead = Bulkhead.builder().name("inventory").maxConcurrentCalls(10)
 *     .maxWait(Duration.ofMillis(20)).build();
 * Stock stock = bulkhead.call(() -> inventory.stock(sku));
 * CompletionStage<Stock> async = bulkhead.callAsync(() -> inventory.stockAsync(sku));
 * }</pre>
 *
 * <p>As a {@link Policy}: a synchronous call takes a slot, waiting up to
 * {@link BulkheadConfig#maxWait() maxWait} for one on its thread, and gives it back when the action returns
 * or throws. An asynchronous call never holds a thread waiting: without a free slot it waits up to
 * {@code maxWait} in a queue of at most {@link Builder#maxWaitingCalls maxWaitingCalls} calls (first come,
 * first served; it starts on the {@link Builder#executor executor} when a slot is handed to it; with the
 * queue full it is refused at once), and holds its slot until the action's stage completes; the slot comes back
 * exactly once on every path (success, failure, the caller cancelling the returned stage while it waits or
 * runs, an outer {@link Timeout} cancelling it, the action throwing instead of returning a stage). A freed
 * slot goes to a waiting asynchronous call before a waiting synchronous one. A refused call gets a
 * {@link BulkheadFullException} with a retry-after hint. Bulkheads are thread-safe; a granted slot takes no
 * lock and allocates nothing.
 */
public interface Bulkhead extends Policy {

  /** Starts a builder; {@link Builder#maxConcurrentCalls} is required. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Takes a slot if one is free now; never waits. Pair every {@code true} with one {@link #release()}.
   *
   * @return whether a slot was taken
   */
  boolean tryAcquire();

  /**
   * Takes a slot, waiting up to {@code timeout} for one. Pair every {@code true} with one {@link #release()}.
   *
   * @return whether a slot was taken
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws InterruptedException if interrupted while waiting; no slot is taken
   */
  boolean acquire(Duration timeout) throws InterruptedException;

  /**
   * Gives back a slot taken with {@link #tryAcquire()} or {@link #acquire}.
   *
   * @throws IllegalStateException if no slot is taken (a release without its acquire)
   */
  void release();

  /** The calls running now, between 0 and {@link BulkheadConfig#maxConcurrentCalls()}; a snapshot. */
  int inFlight();

  /** The bulkhead's name. */
  String name();

  /** The bulkhead's settings. */
  BulkheadConfig config();

  /** A builder of {@link Bulkhead}. Mutable, not thread-safe; each option may be set once. */
  final class Builder {
    private final OptionsSet options = new OptionsSet("Bulkhead");
    private String name;
    private Integer maxConcurrentCalls;
    private Duration maxWait = Duration.ZERO;
    private Integer maxWaitingCalls;
    private Ticker ticker = Ticker.system();
    private MeterRegistry meterRegistry;
    private ScheduledExecutorService scheduler;
    private Executor executor;

    private Builder() {}

    /**
     * Names the bulkhead in metrics and messages; default a unique {@code bulkhead-1}, {@code bulkhead-2},
     * …, so two unnamed ones never share meters.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder name(String name) {
      options.claim("name");
      this.name = Check.notNull(name, "Bulkhead.name");
      return this;
    }

    /**
     * How many calls may run at once. Required.
     *
     * @throws IllegalStateException if already set
     */
    public Builder maxConcurrentCalls(int maxConcurrentCalls) {
      options.claim("maxConcurrentCalls");
      this.maxConcurrentCalls = maxConcurrentCalls;
      return this;
    }

    /**
     * How long a call may wait for a slot; default zero (refuse at once). A synchronous call waits on its
     * thread; an asynchronous call waits in a queue, holding no thread, and runs when a slot is handed to it.
     *
     * @throws IllegalStateException if already set
     */
    public Builder maxWait(Duration maxWait) {
      options.claim("maxWait");
      this.maxWait = maxWait;
      return this;
    }

    /**
     * How many asynchronous calls may wait for a slot at once (with {@link #maxWait} above zero); one more is
     * refused at once with {@link BulkheadFullException} and counted with reason {@code queue-full}. Zero
     * lets no asynchronous call wait. Synchronous callers wait on their own threads and are not counted here.
     *
     * <p>Default: 4 × {@code maxConcurrentCalls}. Waiting calls are served first come, first served, one per
     * freed slot, so a queue longer than the slots times {@code maxWait} over a call's duration only fills
     * with calls that will time out after their full wait: 4 × covers a {@code maxWait} of up to about four
     * call durations (the usual setting: a short wait to smooth bursts), and beyond it a caller learns at
     * once instead of after {@code maxWait}, and memory stays bounded under a flood (MicroProfile's
     * {@code waitingTaskQueue} defaults to 10, Resilience4j's thread-pool bulkhead's {@code queueCapacity} to
     * 100; both are fixed numbers, this one scales with the bulkhead).
     *
     * @throws IllegalStateException if already set
     */
    public Builder maxWaitingCalls(int maxWaitingCalls) {
      options.claim("maxWaitingCalls");
      this.maxWaitingCalls = maxWaitingCalls;
      return this;
    }

    /**
     * The time source for the wait metric and the retry-after hint; default {@link Ticker#system()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder ticker(Ticker ticker) {
      options.claim("ticker");
      this.ticker = Check.notNull(ticker, "Bulkhead.ticker");
      return this;
    }

    /**
     * The scheduler whose timers end the waits of asynchronous calls ({@link #maxWait}); default Ballast's
     * shared timer thread. Only the timers run on it.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      options.claim("scheduler");
      this.scheduler = Check.notNull(scheduler, "Bulkhead.scheduler");
      return this;
    }

    /**
     * Where an asynchronous call that waited starts its action once a slot is handed to it, and where a
     * refused wait completes its stage; default Ballast's shared pool ({@code ballast-async-<n>} threads, as
     * many as cores, made on demand and stopped when idle; not {@code CompletableFuture}'s default, which
     * starts a thread per task on a machine of two cores). Never the thread that freed the slot or the
     * timer's.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder executor(Executor executor) {
      options.claim("executor");
      this.executor = Check.notNull(executor, "Bulkhead.executor");
      return this;
    }

    /**
     * Publishes {@code ballast.bulkhead.calls} (tags {@code name}, {@code result}, {@code reason}:
     * {@code full} when refused at once, {@code wait-timeout} after waiting, {@code queue-full} when too many
     * asynchronous calls already wait), {@code ballast.bulkhead.wait}
     * (timer), and gauges {@code ballast.bulkhead.limit} and {@code ballast.bulkhead.inflight}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder meterRegistry(MeterRegistry registry) {
      options.claim("meterRegistry");
      this.meterRegistry = Check.notNull(registry, "Bulkhead.meterRegistry");
      return this;
    }

    /**
     * Builds the bulkhead.
     *
     * @throws IllegalStateException if {@code maxConcurrentCalls} was never set
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public Bulkhead build() {
      if (maxConcurrentCalls == null) {
        throw new IllegalStateException("Bulkhead.maxConcurrentCalls is required");
      }
      String named = name != null ? name : DefaultNames.next("bulkhead");
      int waiting = maxWaitingCalls != null ? maxWaitingCalls : (int) Math.min(Integer.MAX_VALUE, 4L * maxConcurrentCalls);
      return new SemaphoreBulkhead(new BulkheadConfig(named, maxConcurrentCalls, maxWait, waiting), ticker,
          meterRegistry, scheduler != null ? scheduler : SharedScheduler.get(),
          executor != null ? executor : SharedScheduler.async());
    }
  }
}
