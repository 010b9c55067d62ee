package dev.ballast.queue.internal;

import dev.ballast.core.Backoff;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.queue.DeadLetter;
import dev.ballast.queue.JobHandler;
import dev.ballast.queue.JobOptions;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.QueueStats;
import dev.ballast.queue.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link JobQueue} implementation: validation, encoding and worker pools here, every state
 * change delegated to a {@link QueueStore} (in memory or Redis).
 *
 * <p>Design note: the maps of known types and of dispatchers are concurrent; registration and shutdown
 * synchronize on this object so that no dispatcher starts after shutdown began. Enqueues take no lock
 * here (the store is atomic).
 */
public final class DefaultJobQueue implements JobQueue {

  private static final int ENQUEUE_CHUNK = 500;
  /** How long shutdown waits, past its timeout, for threads it stopped or interrupted to end. */
  private static final long THREADS_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final Logger log = LoggerFactory.getLogger(DefaultJobQueue.class);

  private final QueueConfig config;
  private final QueueStore store;
  private final QueueMetrics metrics;
  private final Ticker ticker;
  private final Map<String, JobType<?>> types = new ConcurrentHashMap<>();
  private final Map<String, Dispatcher<?>> dispatchers = new ConcurrentHashMap<>();
  private boolean shutDown;
  private boolean closed;
  private boolean listening;

  public DefaultJobQueue(QueueConfig config, QueueStore store) {
    this.config = Check.notNull(config, "config");
    this.store = store;
    this.ticker = config.ticker() != null ? config.ticker() : Ticker.system();
    this.metrics = new QueueMetrics(config.meterRegistry(), config.name(), config.priorityWeights().size(),
        store::stats, config.targetAge().toMillis() / 1000.0, ticker);
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public QueueConfig config() {
    return config;
  }

  @Override
  public void declare(JobType<?> type) {
    Check.notNull(type, "type");
    JobType<?> known = types.putIfAbsent(type.name(), type);
    if (known != null && !known.equals(type)) {
      throw new IllegalArgumentException("Job type '" + type.name() + "' is already declared with another codec");
    }
  }

  @Override
  public synchronized <T> void register(JobType<T> type, Workers workers, JobHandler<T> handler) {
    Check.notNull(workers, "workers");
    Check.notNull(handler, "handler");
    if (shutDown) {
      throw new IllegalStateException("Queue " + config.name() + " is shut down");
    }
    declare(type);
    Dispatcher<T> dispatcher = new Dispatcher<>(config, type, workers, handler, store, metrics, ticker);
    if (dispatchers.putIfAbsent(type.name(), dispatcher) != null) {
      throw new IllegalStateException("A handler is already registered for job type '" + type.name() + "'");
    }
    dispatcher.start();
    if (!listening) {
      // Only an instance that runs handlers needs to hear of jobs enqueued elsewhere.
      listening = true;
      store.onReady(this::wake);
    }
  }

  /** A notice from the store: jobs of {@code type} became ready, maybe through another instance. */
  private void wake(String type) {
    Dispatcher<?> d = dispatchers.get(type);
    if (d != null) {
      d.wake();
    }
  }

  @Override
  public <T> String enqueue(JobType<T> type, T payload) {
    return enqueue(type, payload, JobOptions.defaults());
  }

  @Override
  public <T> String enqueue(JobType<T> type, T payload, JobOptions options) {
    return store(type, List.of(prepare(type, payload, options))).get(0);
  }

  @Override
  public <T> List<String> enqueueAll(JobType<T> type, List<? extends T> payloads, JobOptions options) {
    Check.notNull(payloads, "payloads");
    Check.notNull(options, "options");
    if (options.idempotencyKey() != null) {
      throw new IllegalArgumentException("JobOptions.idempotencyKey must not be set for enqueueAll: every job"
          + " needs its own key; enqueue those one by one");
    }
    List<String> ids = new ArrayList<>(payloads.size());
    List<NewJob> chunk = new ArrayList<>(Math.min(payloads.size(), ENQUEUE_CHUNK));
    for (T payload : payloads) {
      chunk.add(prepare(type, payload, options));
      if (chunk.size() == ENQUEUE_CHUNK) {
        ids.addAll(store(type, chunk));
        chunk.clear();
      }
    }
    if (!chunk.isEmpty()) {
      ids.addAll(store(type, chunk));
    }
    return ids;
  }

  private List<String> store(JobType<?> type, List<NewJob> jobs) {
    List<String> ids = store.enqueue(jobs);
    metrics.enqueued(jobs.size());
    Dispatcher<?> local = dispatchers.get(type.name());
    if (local != null) {
      local.wake();
    }
    return ids;
  }

  private <T> NewJob prepare(JobType<T> type, T payload, JobOptions options) {
    Check.notNull(type, "type");
    Check.notNull(payload, "payload");
    Check.notNull(options, "options");
    JobType<?> known = types.get(type.name());
    if (known == null) {
      throw new IllegalArgumentException("Unknown job type '" + type.name() + "' for queue " + config.name()
          + ": register a handler for it or declare it first");
    }
    if (!known.equals(type)) {
      throw new IllegalArgumentException("Job type '" + type.name() + "' is declared with another codec");
    }
    int priority = options.priority() != null ? options.priority() : config.defaultPriority();
    Check.atMost(priority, config.priorityWeights().size() - 1, "JobOptions.priority");
    byte[] bytes = Check.notNull(type.codec().encode(payload), "encoded payload");
    if (bytes.length > config.maxPayloadBytes()) {
      throw new IllegalArgumentException("payload of job type '" + type.name() + "' must be at most "
          + config.maxPayloadBytes() + " bytes encoded (QueueConfig.maxPayloadBytes), was " + bytes.length);
    }
    int maxAttempts = options.maxAttempts() != null ? options.maxAttempts() : config.maxAttempts();
    Backoff backoff = options.backoff() != null ? options.backoff() : config.backoff();
    long delayMillis = ceilMillis(options.delay());
    long deadlineMillis = options.deadline() == null ? 0 : ceilMillis(options.deadline());
    return new NewJob(type.name(), bytes, priority, maxAttempts, backoff, delayMillis, deadlineMillis,
        options.idempotencyKey());
  }

  private static long ceilMillis(Duration d) {
    long nanos = Check.saturatedNanos(d);
    return nanos == Long.MAX_VALUE ? Long.MAX_VALUE / 4 : (nanos + 999_999) / 1_000_000;
  }

  @Override
  public List<DeadLetter> deadLetters(int limit) {
    Check.atLeast(limit, 1, "limit");
    return store.listDead(limit);
  }

  @Override
  public boolean requeueDead(String id) {
    Check.notBlank(id, "id");
    boolean requeued = store.requeueDead(id);
    if (requeued) {
      dispatchers.values().forEach(Dispatcher::wake);
    }
    return requeued;
  }

  @Override
  public long purgeDead() {
    return store.purgeDead();
  }

  @Override
  public QueueStats stats() {
    return store.stats();
  }

  @Override
  public boolean shutdown(Duration timeout) {
    Check.notNegative(timeout, "timeout");
    synchronized (this) {
      shutDown = true;
    }
    long deadline = System.nanoTime() + Math.min(Check.saturatedNanos(timeout), Long.MAX_VALUE / 4);
    dispatchers.values().forEach(Dispatcher::stopClaiming);
    boolean drained = true;
    for (Dispatcher<?> d : dispatchers.values()) {
      drained &= d.awaitDrained(deadline); // one deadline for all: the bound is the timeout, not n times it
    }
    // The threads were told to stop (or interrupted, past the deadline) and wait on Redis no more: they end
    // within moments unless a handler ignores its interrupt, which this wait must not wait out either.
    long threadsDeadline = System.nanoTime() + THREADS_GRACE_NANOS;
    for (Dispatcher<?> d : dispatchers.values()) {
      // An interrupted caller stops waiting at once (the flag stays set): the threads end by themselves.
      if (!d.awaitThreads(threadsDeadline) && !Thread.currentThread().isInterrupted()) {
        log.warn("Queue {}: a thread of job type {} is still running {} ms after shutdown; a handler ignores its"
            + " interrupt (its job is left to the visibility timeout)", config.name(), d.typeName(),
            TimeUnit.NANOSECONDS.toMillis(THREADS_GRACE_NANOS));
      }
    }
    return drained;
  }

  @Override
  public void close() {
    shutdown(config.shutdownTimeout());
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    store.close();
  }

  /** For tests: the store underneath. */
  public QueueStore store() {
    return store;
  }
}
