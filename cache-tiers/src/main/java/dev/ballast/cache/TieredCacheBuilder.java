package dev.ballast.cache;

import org.jspecify.annotations.Nullable;
import dev.ballast.cache.internal.LoaderPool;
import dev.ballast.cache.internal.RedisConnector;
import dev.ballast.cache.internal.Wiring;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Builds a {@link TieredCache}. Defaults: 10,000 entries and 100 ms in L1, 15 minutes in Redis, 10 % TTL
 * jitter, no stale serving, no negative caching, 1 MiB values, 5 s leases, 2 s longest lease wait, 250 ms
 * per Redis call, invalidation on with no batching, L1 capped at 1 s while the subscription is down or
 * Redis does not answer.
 * Without {@link #redis} the cache is L1 only. Each option may be set once
 * ({@link IllegalStateException} otherwise). Not thread-safe.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TieredCacheBuilder<K, V> {

  private final OptionsSet options = new OptionsSet("TieredCache");
  private final String name;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private @Nullable RedisConnector redis;
  private @Nullable String keyPrefix;
  private long l1MaximumSize = 10_000;
  private Duration l1Ttl = Duration.ofMillis(100);
  private Duration ttl = Duration.ofMinutes(15);
  private Duration staleTtl = Duration.ZERO;
  private boolean staleWhileRevalidate;
  private double ttlJitter = 0.1;
  private double earlyRefreshBeta;
  private Duration negativeTtl = Duration.ZERO;
  private int maxEncodedSize = 1 << 20;
  private Duration leaseTtl = Duration.ofSeconds(5);
  private Duration maxLeaseWait = Duration.ofSeconds(2);
  private Duration redisTimeout = Duration.ofMillis(250);
  private boolean invalidation = true;
  private Duration invalidationBatchWindow = Duration.ZERO;
  private Duration l1TtlWhileDisconnected = Duration.ofSeconds(1);
  private boolean keepL1DuringOutage;
  private int warmUpChunk = 100;
  private Duration warmUpWait = Duration.ofSeconds(5);
  private BooleanSupplier spareOrigin = () -> false;
  private @Nullable Function<? super K, ? extends V> sparedFallback;
  private @Nullable MeterRegistry meterRegistry;
  private Ticker ticker = Ticker.system();
  private boolean coarseHitClock = true;
  private Executor executor = LoaderPool.shared();
  private @Nullable CircuitBreaker redisBreaker;

  TieredCacheBuilder(String name, Codec<K> keyCodec, Codec<V> valueCodec) {
    this.name = Check.notBlank(name, "TieredCache.name");
    this.keyCodec = Check.notNull(keyCodec, "TieredCache.keyCodec");
    if (keyCodec == BuiltInCodecs.BYTES) {
      throw new IllegalArgumentException("TieredCache.keyCodec must not be Codec.bytes(): arrays compare by identity,"
          + " so L1 and invalidation could not find a key again; use a String or a value type");
    }
    this.valueCodec = Check.notNull(valueCodec, "TieredCache.valueCodec");
  }

  /**
   * The Redis for L2, leases and invalidation: one server, or a Sentinel-managed master through a
   * {@code redis-sentinel://} URI (Lettuce asks the Sentinels again on every reconnect, so the cache follows
   * a failover). {@code build()} opens the cache's connections on it and {@link TieredCache#close()} closes
   * them (the client stays the application's). Set {@code redis} once: this or the cluster overload.
   */
  public TieredCacheBuilder<K, V> redis(RedisClient client) {
    options.claim("redis");
    this.redis = RedisConnector.of(Check.notNull(client, "TieredCache.redis"));
    return this;
  }

  /**
   * The Redis Cluster for L2, leases and invalidation. A key's value and lease share a hash tag (one slot),
   * so every script touches one node; {@code getAll} reads are split per slot. Invalidations use sharded
   * pub/sub ({@code SSUBSCRIBE}, one shard) when every node is Redis 7.0+, classic {@code SUBSCRIBE}
   * otherwise. Enable the client's topology refresh ({@code ClusterTopologyRefreshOptions}, adaptive
   * triggers): after a failover the cache's sharded subscription moves to the slot's new owner on the
   * topology change the client sees. Connections are opened by {@code build()} and closed by
   * {@link TieredCache#close()} (the client stays the application's).
   */
  public TieredCacheBuilder<K, V> redis(RedisClusterClient client) {
    options.claim("redis");
    this.redis = RedisConnector.of(Check.notNull(client, "TieredCache.redis"));
    return this;
  }

  /** Prefix of every Redis key and of the channel; default {@code "ballast:cache:<name>:"}. */
  public TieredCacheBuilder<K, V> keyPrefix(String prefix) {
    options.claim("keyPrefix");
    this.keyPrefix = prefix;
    return this;
  }

  /** Most entries kept in process. */
  public TieredCacheBuilder<K, V> l1MaximumSize(long size) {
    options.claim("l1MaximumSize");
    this.l1MaximumSize = size;
    return this;
  }

  /** How long an L1 entry is served without asking Redis. */
  public TieredCacheBuilder<K, V> l1Ttl(Duration l1Ttl) {
    options.claim("l1Ttl");
    this.l1Ttl = l1Ttl;
    return this;
  }

  /** How long a value is fresh (soft expiry), in both tiers. */
  public TieredCacheBuilder<K, V> ttl(Duration ttl) {
    options.claim("ttl");
    this.ttl = ttl;
    return this;
  }

  /** After {@code ttl}, serve the stale value at once for up to {@code window} while one refresh runs. */
  public TieredCacheBuilder<K, V> staleWhileRevalidate(Duration window) {
    options.claim("staleTtl");
    this.staleTtl = window;
    this.staleWhileRevalidate = true;
    return this;
  }

  /** After {@code ttl}, serve the stale value for up to {@code window} only when reloading it fails. */
  public TieredCacheBuilder<K, V> staleIfError(Duration window) {
    options.claim("staleTtl");
    this.staleTtl = window;
    this.staleWhileRevalidate = false;
    return this;
  }

  /** Fraction in [0, 1) by which each TTL written is randomly shortened. */
  public TieredCacheBuilder<K, V> ttlJitter(double fraction) {
    options.claim("ttlJitter");
    this.ttlJitter = fraction;
    return this;
  }

  /** Probabilistic early refresh (XFetch) with this beta; 1.0 is the paper's choice, 0 turns it off. */
  public TieredCacheBuilder<K, V> earlyRefresh(double beta) {
    options.claim("earlyRefreshBeta");
    this.earlyRefreshBeta = beta;
    return this;
  }

  /** Cache absent values (loader returned null) for this long. */
  public TieredCacheBuilder<K, V> negativeTtl(Duration negativeTtl) {
    options.claim("negativeTtl");
    this.negativeTtl = negativeTtl;
    return this;
  }

  /** Most bytes an encoded value may take in Redis. */
  public TieredCacheBuilder<K, V> maxEncodedSize(int bytes) {
    options.claim("maxEncodedSize");
    this.maxEncodedSize = bytes;
    return this;
  }

  /** How long a fleet-wide load lease lasts; make it longer than a slow load. */
  public TieredCacheBuilder<K, V> leaseTtl(Duration leaseTtl) {
    options.claim("leaseTtl");
    this.leaseTtl = leaseTtl;
    return this;
  }

  /** Longest a caller waits for another instance's load before it loads itself (counted). */
  public TieredCacheBuilder<K, V> maxLeaseWait(Duration maxLeaseWait) {
    options.claim("maxLeaseWait");
    this.maxLeaseWait = maxLeaseWait;
    return this;
  }

  /** Longest a single Redis call is waited for before the cache falls back to L1 and the loader. */
  public TieredCacheBuilder<K, V> redisTimeout(Duration redisTimeout) {
    options.claim("redisTimeout");
    this.redisTimeout = redisTimeout;
    return this;
  }

  /** Whether writes evict the other instances' L1 (default true); off, {@code l1Ttl} alone bounds L1 staleness. */
  public TieredCacheBuilder<K, V> invalidation(boolean enabled) {
    options.claim("invalidation");
    this.invalidation = enabled;
    return this;
  }

  /** Gather invalidations for this long into one message. */
  public TieredCacheBuilder<K, V> invalidationBatchWindow(Duration window) {
    options.claim("invalidationBatchWindow");
    this.invalidationBatchWindow = window;
    return this;
  }

  /**
   * Most keys one {@link TieredCache#warm} chunk reads, leases and loads at once (default 100); the
   * chunks run one after the other, so no single Redis call of a large warm-up outlives
   * {@code redisTimeout} and two instances warming the same keys share them through the leases.
   */
  public TieredCacheBuilder<K, V> warmUpChunk(int keys) {
    options.claim("warmUpChunk");
    this.warmUpChunk = keys;
    return this;
  }

  /**
   * Longest {@link TieredCache#warmUp} waits for its warm-up (default 5 s, well inside a readiness probe's
   * usual 10 s); the warm-up goes on in the background after that.
   */
  public TieredCacheBuilder<K, V> warmUpWait(Duration wait) {
    options.claim("warmUpWait");
    this.warmUpWait = wait;
    return this;
  }

  /**
   * Cap on an L1 entry's life while the invalidation subscription is down or Redis does not answer
   * (default 1 s): how long another instance's write may stay invisible here in those states.
   */
  public TieredCacheBuilder<K, V> l1TtlWhileDisconnected(Duration bound) {
    options.claim("l1TtlWhileDisconnected");
    this.l1TtlWhileDisconnected = bound;
    return this;
  }

  /**
   * Availability over freshness (default false): while Redis cannot be asked, an L1 entry is served up
   * to its soft expiry ({@code ttl}) instead of being loaded from the origin again once
   * {@code l1TtlWhileDisconnected} has passed. Another instance's write during the outage then stays
   * invisible here for up to {@code ttl}.
   */
  public TieredCacheBuilder<K, V> keepL1DuringOutage(boolean keep) {
    options.claim("keepL1DuringOutage");
    this.keepL1DuringOutage = keep;
    return this;
  }

  /**
   * While {@code spare} answers true, the loader is not called: the cache serves what it has, however
   * stale, and a miss gets the {@link #sparedFallback} or an {@link OriginSparedException}. Read on misses only.
   */
  public TieredCacheBuilder<K, V> spareOrigin(BooleanSupplier spare) {
    options.claim("spareOrigin");
    this.spareOrigin = Check.notNull(spare, "TieredCache.spareOrigin");
    return this;
  }

  /** What a miss returns while the origin is spared (instead of an {@link OriginSparedException}). */
  public TieredCacheBuilder<K, V> sparedFallback(Function<? super K, ? extends V> fallback) {
    options.claim("sparedFallback");
    this.sparedFallback = Check.notNull(fallback, "TieredCache.sparedFallback");
    return this;
  }

  /** Where to publish meters; none by default. */
  public TieredCacheBuilder<K, V> meterRegistry(MeterRegistry registry) {
    options.claim("meterRegistry");
    this.meterRegistry = Check.notNull(registry, "TieredCache.meterRegistry");
    return this;
  }

  /** The clock for expiry and lease waits (tests pass a manual one); Redis latency is always timed in real time. */
  public TieredCacheBuilder<K, V> ticker(Ticker ticker) {
    options.claim("ticker");
    this.ticker = Check.notNull(ticker, "TieredCache.ticker");
    return this;
  }

  /**
   * Whether L1 hits read a clock sampled about once a millisecond by one shared daemon thread,
   * {@code ballast-cache-clock} (default true, with the system ticker: a hit then costs one volatile read
   * instead of a {@code System.nanoTime()} call). False: no such thread, hits read the ticker. A cache
   * given another {@link #ticker} never uses the sampled clock.
   */
  public TieredCacheBuilder<K, V> coarseHitClock(boolean enabled) {
    options.claim("coarseHitClock");
    this.coarseHitClock = enabled;
    return this;
  }

  /**
   * Runs background refreshes and {@link TieredCache#getAsyncWithBlockingLoader} misses. Default: a pool shared by this JVM's
   * caches, up to 64 daemon threads (loaders block on I/O, so not the common pool).
   */
  public TieredCacheBuilder<K, V> executor(Executor executor) {
    options.claim("executor");
    this.executor = Check.notNull(executor, "TieredCache.executor");
    return this;
  }

  /**
   * The breaker around Redis calls; default {@link dev.ballast.redis.RedisGuard#defaultBreaker} (opens when
   * half of the last 20 calls failed or took over 250 ms, probes again after 1 s). Give one cache its own.
   */
  public TieredCacheBuilder<K, V> redisCircuitBreaker(CircuitBreaker breaker) {
    options.claim("redisCircuitBreaker");
    this.redisBreaker = Check.notNull(breaker, "TieredCache.redisCircuitBreaker");
    return this;
  }

  /** The settings this builder would build with. */
  public TieredCacheConfig config() {
    return new TieredCacheConfig(name, keyPrefix != null ? keyPrefix : "ballast:cache:" + name + ":",
        l1MaximumSize, l1Ttl, ttl, staleTtl, staleWhileRevalidate, ttlJitter, earlyRefreshBeta, negativeTtl,
        maxEncodedSize, leaseTtl, maxLeaseWait, redisTimeout, invalidation, invalidationBatchWindow,
        l1TtlWhileDisconnected, keepL1DuringOutage, warmUpChunk, warmUpWait);
  }

  /**
   * Builds the cache; with Redis, connects and subscribes to the invalidation channel, or, if Redis does
   * not answer, starts in outage mode (L1 and the loader) and keeps connecting in the background.
   *
   * @throws IllegalArgumentException naming the first bad setting
   */
  public TieredCache<K, V> build() {
    TieredCacheConfig config = config();
    return new Wiring<>(keyCodec, valueCodec, redis, spareOrigin, sparedFallback, meterRegistry, ticker, executor,
        redisBreaker, coarseHitClock && ticker == Ticker.system()).build(config);
  }
}
