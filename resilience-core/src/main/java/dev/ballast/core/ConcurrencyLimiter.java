package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.DefaultNames;
import dev.ballast.core.internal.OptionsSet;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An adaptive limit on calls in flight, learnt from each call's latency and from drop signals, as Netflix
 * concurrency-limits and Envoy's adaptive concurrency filter do: when calls queue at the dependency,
 * latency rises and the limit falls to about the dependency's true concurrency; excess calls are refused
 * at once, so the accepted ones stay fast instead of everybody waiting in one long queue.
 * <pre>{@code
 * ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().name("search-db")
 *     .algorithm(ConcurrencyLimitAlgorithm.gradient()).limits(20, 1, 200)
 *     .partition("checkout", 0.7).partition("browse", 0.3).build();
 * List<Row> rows = limiter.partition("checkout").call(() -> db.query(sql));
 *
 * int browse = limiter.partitionIndex("browse");          // the primitive: no allocation
 * long token = limiter.tryAcquire(browse);
 * if (token == ConcurrencyLimiter.REJECTED) { respond503(); return; }
 * try { work(); limiter.onSuccess(browse, token); } catch (RuntimeException e) { limiter.onIgnored(browse, token); }
 * }</pre>
 *
 * <p><b>Partitions</b> (after Netflix's partitioned limiter): each has a guaranteed share of the limit.
 * While the limiter is under its limit any partition may use the spare room; at the limit, a call is
 * accepted only if its partition is under its guaranteed share, so best-effort traffic (a partition with
 * a small share, or {@value #DEFAULT_PARTITION} with what is left) is shed first and a critical partition
 * keeps its share even when others borrowed. In flight may then exceed the limit by up to the borrowed
 * calls, which finish soon.
 *
 * <p><b>As a {@link Policy}</b> the limiter uses partition {@value #DEFAULT_PARTITION}; {@link #partition}
 * gives a policy for a named one. A call's latency is a sample when it succeeds; when it fails with a drop
 * signal (by default {@link TimeoutExceededException}; see {@link Builder#dropWhen}) or returns a result
 * that {@link Builder#dropOnResult} matches (an HTTP 429 or 503) it is a drop; any other failure, and a
 * cancelled async call, only frees its slot. Async calls hold their slot until their stage completes and
 * free it exactly once. A refusal is immediate, never blocks, and throws
 * {@link ConcurrencyLimitExceededException} with a retry-after hint. Acquiring takes no lock and allocates
 * nothing; the limit is updated by one thread at a time, and a sample that arrives meanwhile is skipped
 * rather than waited for.
 */
public interface ConcurrencyLimiter extends Policy {

  /** What {@link #tryAcquire(int)} returns for a refusal. */
  long REJECTED = Long.MIN_VALUE;

  /** The partition of calls that name none: index 0, with the share the named partitions leave. */
  String DEFAULT_PARTITION = "default";

  /** Starts a builder; every option has a default. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Takes a slot in {@code partition} if the limit allows; never waits. Pair every accepted token with
   * exactly one of {@link #onSuccess}, {@link #onDropped}, {@link #onIgnored}.
   *
   * @param partition an index from {@link #partitionIndex}
   * @return a token (the call's start time) when accepted, or {@link #REJECTED}
   * @throws IndexOutOfBoundsException if there is no such partition
   */
  long tryAcquire(int partition);

  /**
   * Frees the slot of a call that succeeded; its latency is a sample for the limit.
   *
   * @throws IllegalArgumentException if {@code token} is {@link #REJECTED}
   */
  void onSuccess(int partition, long token);

  /**
   * Frees the slot of a call that showed overload (a timeout, a 429/503): the limit should fall.
   *
   * @throws IllegalArgumentException if {@code token} is {@link #REJECTED}
   */
  void onDropped(int partition, long token);

  /**
   * Frees the slot of a call whose latency says nothing about load (a bad request, a cancellation).
   *
   * @throws IllegalArgumentException if {@code token} is {@link #REJECTED}
   */
  void onIgnored(int partition, long token);

  /**
   * The index of partition {@code name}, for the primitive methods.
   *
   * @throws IllegalArgumentException if there is no such partition, naming the ones there are
   */
  int partitionIndex(String name);

  /**
   * A policy that runs calls in partition {@code name}.
   *
   * @throws IllegalArgumentException if there is no such partition, naming the ones there are
   */
  Policy partition(String name);

  /** The partition names, {@value #DEFAULT_PARTITION} first; index in this list = partition index. */
  List<String> partitions();

  /** The limit now. */
  int limit();

  /** Calls in flight now, all partitions. */
  int inFlight();

  /** The limiter's name. */
  String name();

  /** The limiter's settings. */
  ConcurrencyLimiterConfig config();

  /** A builder of {@link ConcurrencyLimiter}. Mutable, not thread-safe; each option may be set once. */
  final class Builder {
    private final OptionsSet options = new OptionsSet("ConcurrencyLimiter");
    private String name;
    private ConcurrencyLimitAlgorithm algorithm = ConcurrencyLimitAlgorithm.gradient();
    private int initialLimit = 20;
    private int minLimit = 1;
    private int maxLimit = 1000;
    private final Map<String, Double> partitions = new LinkedHashMap<>();
    private Predicate<Throwable> dropWhen = e -> e instanceof TimeoutExceededException;
    private Predicate<Object> dropOnResult = result -> false;
    private Ticker ticker = Ticker.system();
    private MeterRegistry meterRegistry;

    private Builder() {}

    /**
     * Names the limiter; default a unique {@code concurrency-1}, {@code concurrency-2}, …, so two unnamed
     * ones never share meters.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder name(String name) {
      options.claim("name");
      this.name = Check.notNull(name, "ConcurrencyLimiter.name");
      return this;
    }

    /**
     * How the limit moves; default {@link ConcurrencyLimitAlgorithm#gradient()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder algorithm(ConcurrencyLimitAlgorithm algorithm) {
      options.claim("algorithm");
      this.algorithm = Check.notNull(algorithm, "ConcurrencyLimiter.algorithm");
      return this;
    }

    /**
     * The initial, smallest and largest limit; default 20, 1, 1000.
     *
     * @throws IllegalStateException if already set
     */
    public Builder limits(int initialLimit, int minLimit, int maxLimit) {
      options.claim("limits");
      this.initialLimit = initialLimit;
      this.minLimit = minLimit;
      this.maxLimit = maxLimit;
      return this;
    }

    /**
     * Adds partition {@code name} with a guaranteed {@code share} of the limit, in (0, 1].
     *
     * @throws IllegalStateException if this partition was already added
     */
    public Builder partition(String name, double share) {
      options.claim("partition " + name);
      partitions.put(name, share);
      return this;
    }

    /**
     * Which failures are drop signals (the limit should fall); default: {@link TimeoutExceededException}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder dropWhen(Predicate<Throwable> dropWhen) {
      options.claim("dropWhen");
      this.dropWhen = Check.notNull(dropWhen, "ConcurrencyLimiter.dropWhen");
      return this;
    }

    /**
     * Which results are drop signals, e.g. {@code r -> r instanceof HttpResponse<?> h && (h.statusCode() ==
     * 429 || h.statusCode() == 503)}; default none. The result is still returned to the caller.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder dropOnResult(Predicate<Object> dropOnResult) {
      options.claim("dropOnResult");
      this.dropOnResult = Check.notNull(dropOnResult, "ConcurrencyLimiter.dropOnResult");
      return this;
    }

    /**
     * The time source that measures latency; default {@link Ticker#system()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder ticker(Ticker ticker) {
      options.claim("ticker");
      this.ticker = Check.notNull(ticker, "ConcurrencyLimiter.ticker");
      return this;
    }

    /**
     * Publishes {@code ballast.concurrency.calls} (tags {@code name}, {@code partition}, {@code result},
     * {@code reason}: {@code limit}), gauges {@code ballast.concurrency.limit} and
     * {@code ballast.concurrency.inflight} (tagged {@code partition}).
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder meterRegistry(MeterRegistry registry) {
      options.claim("meterRegistry");
      this.meterRegistry = Check.notNull(registry, "ConcurrencyLimiter.meterRegistry");
      return this;
    }

    /**
     * Builds the limiter.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public ConcurrencyLimiter build() {
      String named = name != null ? name : DefaultNames.next("concurrency");
      ConcurrencyLimiterConfig config = new ConcurrencyLimiterConfig(named, algorithm, initialLimit, minLimit,
          maxLimit, partitions);
      return new AdaptiveConcurrencyLimiter(config, dropWhen, dropOnResult, ticker, meterRegistry);
    }
  }
}
