package dev.ballast.queue;

import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import dev.ballast.redis.internal.KeyNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A queue's configuration. Immutable and validated once; messages name the field.
 * <pre>{@code
 * QueueConfig config = QueueConfig.builder().name("mail").meterRegistry(registry).build();
 * }</pre>
 *
 * @param name the queue's name, part of its Redis keys and its metric tag
 * @param aclPrefix the start of every Redis key of the queue, before its hash tag (default empty, which keeps
 *     the keys {@code {ballast:queue:NAME}...}); set e.g. {@code ballast:} so that one Redis ACL key pattern
 *     ({@code ~ballast:*}) covers the queue's keys as well as the caches' and the switchboard's. No
 *     {@code '{'} or {@code '}'}, at most 100 characters
 * @param keyPrefix the prefix inside the hash tag of every Redis key (default {@code ballast})
 * @param priorityWeights one weight per priority level, index = priority (default {@code [1, 4, 16]}: a
 *     smooth weighted round robin over the non-empty levels, so priority 2 gets 16 of 21 turns when all
 *     are busy and priority 0 still gets 1)
 * @param defaultPriority the priority of jobs enqueued without one (default 1)
 * @param maxAttempts attempts per job unless the job says otherwise (default 3)
 * @param backoff delays between attempts unless the job says otherwise (default 1 s doubling to 16 s, full jitter)
 * @param visibilityTimeout how long a claimed job belongs to its worker before it is taken back and run
 *     again; handlers can extend it (default 30 s)
 * @param maxPayloadBytes the largest encoded payload accepted (default 512 KiB)
 * @param idempotencyWindow how long an idempotency key is remembered (default 24 h)
 * @param pollInterval how often an idle worker pool asks the backend for work (default 100 ms);
 *     enqueues in this instance wake it at once
 * @param claimBatch the most jobs claimed per round trip (default 64)
 * @param targetAge the oldest-ready-job age the "workers needed" gauge aims for (default 5 min)
 * @param hungHandlerGrace how long a handler may run past its visibility deadline (which
 *     {@link Job#extendVisibility} pushes) before it is counted as hung, logged, interrupted and its
 *     worker replaced by a new one, so hung handlers cannot take every worker (default 30 s)
 * @param shutdownTimeout how long {@link JobQueue#close()} waits for running handlers (default 30 s)
 * @param replicas on Redis, how many replicas must acknowledge an enqueue or an ack before it returns
 *     ({@code WAIT} after the write; default 0: Redis replicates asynchronously, so a failover can lose an
 *     acknowledged enqueue). Set 1 on a Sentinel setup or a cluster for a queue whose jobs must not be
 *     lost; an enqueue that fewer replicas acknowledged in time throws {@link QueueUnavailableException}
 *     (the job is stored on the master: enqueue again with the same idempotency key). 0 to 16. The
 *     write and its {@code WAIT} run on connections of their own (up to 16 per queue instance, opened on
 *     demand), so a lagging replica delays only the enqueues and acks waiting for it, never the instance's
 *     claims, visibility extensions, retries or stats; an enqueue whose connection dropped while it waited
 *     counts as acknowledged by no replica
 * @param replicaTimeout how long an enqueue or an ack waits for {@code replicas} (default 1 s); keep it
 *     below the Redis client's command timeout
 * @param meterRegistry where to publish {@code ballast.queue.*} meters, or null
 * @param ticker the clock; null means the system clock in memory and Redis {@code TIME} on Redis. A
 *     manual ticker is for tests: on Redis it replaces {@code TIME} in every script
 */
public record QueueConfig(String name, String aclPrefix, String keyPrefix, List<Integer> priorityWeights,
    int defaultPriority, int maxAttempts, Backoff backoff, Duration visibilityTimeout, int maxPayloadBytes,
    Duration idempotencyWindow, Duration pollInterval, int claimBatch, Duration targetAge, Duration hungHandlerGrace,
    Duration shutdownTimeout, int replicas, Duration replicaTimeout, @Nullable MeterRegistry meterRegistry, @Nullable Ticker ticker) {

  /** Validates every field. */
  public QueueConfig {
    Check.notBlank(name, "QueueConfig.name");
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "QueueConfig.name must be 1 to 64 letters, digits, '.', '_' or '-', was '" + name + "'");
    }
    aclPrefix = checkAclPrefix(aclPrefix, "QueueConfig.aclPrefix");
    KeyNames.checkKeyPrefix(keyPrefix, "QueueConfig.keyPrefix");
    Check.notNull(priorityWeights, "QueueConfig.priorityWeights");
    priorityWeights = List.copyOf(priorityWeights);
    Check.atLeast(priorityWeights.size(), 1, "QueueConfig.priorityWeights size");
    Check.atMost(priorityWeights.size(), 16, "QueueConfig.priorityWeights size");
    for (int w : priorityWeights) {
      Check.atLeast(w, 1, "QueueConfig.priorityWeights[i]");
      Check.atMost(w, 1_000_000, "QueueConfig.priorityWeights[i]");
    }
    Check.atLeast(defaultPriority, 0, "QueueConfig.defaultPriority");
    Check.atMost(defaultPriority, priorityWeights.size() - 1, "QueueConfig.defaultPriority");
    Check.atLeast(maxAttempts, 1, "QueueConfig.maxAttempts");
    Check.notNull(backoff, "QueueConfig.backoff");
    Check.positive(visibilityTimeout, "QueueConfig.visibilityTimeout");
    Check.atLeast(visibilityTimeout.toMillis(), 1, "QueueConfig.visibilityTimeout (ms)");
    Check.atLeast(maxPayloadBytes, 1, "QueueConfig.maxPayloadBytes");
    Check.atMost(maxPayloadBytes, 64 << 20, "QueueConfig.maxPayloadBytes");
    Check.positive(idempotencyWindow, "QueueConfig.idempotencyWindow");
    Check.positive(pollInterval, "QueueConfig.pollInterval");
    Check.atLeast(claimBatch, 1, "QueueConfig.claimBatch");
    Check.atMost(claimBatch, 1000, "QueueConfig.claimBatch");
    Check.positive(targetAge, "QueueConfig.targetAge");
    Check.positive(hungHandlerGrace, "QueueConfig.hungHandlerGrace");
    Check.notNegative(shutdownTimeout, "QueueConfig.shutdownTimeout");
    Check.atLeast(replicas, 0, "QueueConfig.replicas");
    Check.atMost(replicas, 16, "QueueConfig.replicas");
    Check.positive(replicaTimeout, "QueueConfig.replicaTimeout");
    Check.atLeast(replicaTimeout.toMillis(), 1, "QueueConfig.replicaTimeout (ms)");
  }

  /**
   * Checks a prefix that goes before a hash tag: it must not contain a brace (that would move the tag).
   * Shared with {@code DistributedRateLimiter.Builder#aclPrefix} (ballast-redis-support).
   */
  static String checkAclPrefix(String prefix, String field) {
    return KeyNames.checkAclPrefix(prefix, field);
  }

  /** A builder; only the name is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration; each option may be overridden once. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.aclPrefix = aclPrefix;
    b.keyPrefix = keyPrefix;
    b.priorityWeights = priorityWeights;
    b.defaultPriority = defaultPriority;
    b.maxAttempts = maxAttempts;
    b.backoff = backoff;
    b.visibilityTimeout = visibilityTimeout;
    b.maxPayloadBytes = maxPayloadBytes;
    b.idempotencyWindow = idempotencyWindow;
    b.pollInterval = pollInterval;
    b.claimBatch = claimBatch;
    b.targetAge = targetAge;
    b.hungHandlerGrace = hungHandlerGrace;
    b.shutdownTimeout = shutdownTimeout;
    b.replicas = replicas;
    b.replicaTimeout = replicaTimeout;
    b.meterRegistry = meterRegistry;
    b.ticker = ticker;
    return b;
  }

  /** Builds a {@link QueueConfig}; setting an option twice throws {@link IllegalStateException}. */
  public static final class Builder {
    private final OptionsSet set = new OptionsSet("QueueConfig");
    private String name;
    // Empty keeps the keys queues have always had: renaming them would strand the jobs already stored.
    private String aclPrefix = "";
    private String keyPrefix = "ballast";
    private List<Integer> priorityWeights = List.of(1, 4, 16);
    private int defaultPriority = 1;
    private int maxAttempts = 3;
    // Full jitter: jobs that failed together (one outage) must not all come back at the same instant.
    private Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16)).withJitter(Jitter.FULL);
    private Duration visibilityTimeout = Duration.ofSeconds(30);
    private int maxPayloadBytes = 512 * 1024;
    private Duration idempotencyWindow = Duration.ofHours(24);
    private Duration pollInterval = Duration.ofMillis(100);
    private int claimBatch = 64;
    private Duration targetAge = Duration.ofMinutes(5);
    private Duration hungHandlerGrace = Duration.ofSeconds(30);
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private int replicas;
    private Duration replicaTimeout = Duration.ofSeconds(1);
    private @Nullable MeterRegistry meterRegistry;
    private @Nullable Ticker ticker;

    private Builder() {}

    /** See {@link QueueConfig#name()}. */
    public Builder name(String name) {
      set.claim("name");
      this.name = name;
      return this;
    }

    /** See {@link QueueConfig#aclPrefix()}. */
    public Builder aclPrefix(String prefix) {
      set.claim("aclPrefix");
      this.aclPrefix = prefix;
      return this;
    }

    /** See {@link QueueConfig#keyPrefix()}. */
    public Builder keyPrefix(String keyPrefix) {
      set.claim("keyPrefix");
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** See {@link QueueConfig#priorityWeights()}. */
    public Builder priorityWeights(List<Integer> weights) {
      set.claim("priorityWeights");
      this.priorityWeights = weights;
      return this;
    }

    /** See {@link QueueConfig#defaultPriority()}. */
    public Builder defaultPriority(int priority) {
      set.claim("defaultPriority");
      this.defaultPriority = priority;
      return this;
    }

    /** See {@link QueueConfig#maxAttempts()}. */
    public Builder maxAttempts(int maxAttempts) {
      set.claim("maxAttempts");
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** See {@link QueueConfig#backoff()}. */
    public Builder backoff(Backoff backoff) {
      set.claim("backoff");
      this.backoff = backoff;
      return this;
    }

    /** See {@link QueueConfig#visibilityTimeout()}. */
    public Builder visibilityTimeout(Duration timeout) {
      set.claim("visibilityTimeout");
      this.visibilityTimeout = timeout;
      return this;
    }

    /** See {@link QueueConfig#maxPayloadBytes()}. */
    public Builder maxPayloadBytes(int bytes) {
      set.claim("maxPayloadBytes");
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** See {@link QueueConfig#idempotencyWindow()}. */
    public Builder idempotencyWindow(Duration window) {
      set.claim("idempotencyWindow");
      this.idempotencyWindow = window;
      return this;
    }

    /** See {@link QueueConfig#pollInterval()}. */
    public Builder pollInterval(Duration interval) {
      set.claim("pollInterval");
      this.pollInterval = interval;
      return this;
    }

    /** See {@link QueueConfig#claimBatch()}. */
    public Builder claimBatch(int batch) {
      set.claim("claimBatch");
      this.claimBatch = batch;
      return this;
    }

    /** See {@link QueueConfig#targetAge()}. */
    public Builder targetAge(Duration age) {
      set.claim("targetAge");
      this.targetAge = age;
      return this;
    }

    /** See {@link QueueConfig#hungHandlerGrace()}. */
    public Builder hungHandlerGrace(Duration grace) {
      set.claim("hungHandlerGrace");
      this.hungHandlerGrace = grace;
      return this;
    }

    /** See {@link QueueConfig#shutdownTimeout()}. */
    public Builder shutdownTimeout(Duration timeout) {
      set.claim("shutdownTimeout");
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Makes enqueues and acks wait until {@code replicas} replicas have the write, for at most {@code
     * timeout} each: what the docs recommend for a queue whose jobs must survive a failover (1 on a
     * Sentinel setup or a cluster with one replica per master). See {@link QueueConfig#replicas()}.
     */
    public Builder replicas(int replicas, Duration timeout) {
      set.claim("replicas");
      this.replicas = replicas;
      this.replicaTimeout = timeout;
      return this;
    }

    /** See {@link QueueConfig#meterRegistry()}; null for none (the default). */
    public Builder meterRegistry(@Nullable MeterRegistry registry) {
      set.claim("meterRegistry");
      this.meterRegistry = registry;
      return this;
    }

    /** See {@link QueueConfig#ticker()}; null for the system clock (the default). */
    public Builder ticker(@Nullable Ticker ticker) {
      set.claim("ticker");
      this.ticker = ticker;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalArgumentException naming the first invalid field
     */
    public QueueConfig build() {
      return new QueueConfig(name, aclPrefix, keyPrefix, priorityWeights, defaultPriority, maxAttempts, backoff,
          visibilityTimeout, maxPayloadBytes, idempotencyWindow, pollInterval, claimBatch, targetAge, hungHandlerGrace,
          shutdownTimeout, replicas, replicaTimeout, meterRegistry, ticker);
    }
  }
}
