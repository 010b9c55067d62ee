package dev.ballast.queue.internal;

import dev.ballast.core.RateLimiter;
import dev.ballast.core.RetryAfterHint;
import dev.ballast.queue.Job;
import dev.ballast.queue.JobHandler;
import dev.ballast.queue.JobType;
import dev.ballast.queue.Workers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the handler of one job type: a dispatcher thread claims as many jobs as there are idle workers
 * (never more, so no claimed job waits in this JVM while its visibility deadline runs) and hands each to
 * a fixed pool of worker threads.
 *
 * <p>Design note: shared state is the semaphore of idle workers (acquired by the dispatcher, released by
 * a worker when its job is finished), the volatile {@code running} and {@code abandoning} flags, and the
 * dispatcher thread reference used to wake it. Everything a job needs travels with the job, including the
 * claim's fencing token, so a late worker can never finish a job that was handed to another.
 *
 * @param <T> the payload type
 */
final class Dispatcher<T> {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String queue;
  private final JobType<T> type;
  private final Workers workers;
  private final JobHandler<T> handler;
  private final QueueStore store;
  private final int claimBatch;
  private final long pollNanos;
  private final long visibilityMillis;
  private final QueueMetrics metrics;
  private final QueueMetrics.TypeMeters meters;
  private final ThrottledLog storeErrors;
  private final Semaphore idle;
  private final ExecutorService pool;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean abandoning;

  Dispatcher(String queue, JobType<T> type, Workers workers, JobHandler<T> handler, QueueStore store,
      int claimBatch, Duration pollInterval, Duration visibility, QueueMetrics metrics) {
    this.queue = queue;
    this.type = type;
    this.workers = workers;
    this.handler = handler;
    this.store = store;
    this.claimBatch = claimBatch;
    this.pollNanos = pollInterval.toNanos();
    this.visibilityMillis = visibility.toMillis();
    this.metrics = metrics;
    this.meters = metrics.forType(type.name());
    this.storeErrors = new ThrottledLog(log, "Queue " + queue + ", job type " + type.name());
    this.idle = new Semaphore(workers.concurrency());
    AtomicInteger n = new AtomicInteger();
    String prefix = "ballast-queue-" + queue + "-" + type.name() + "-";
    this.pool = Executors.newFixedThreadPool(workers.concurrency(), r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::dispatch, prefix + "dispatcher");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Ends an idle wait at once, e.g. after a local enqueue. */
  void wake() {
    LockSupport.unpark(thread);
  }

  private void dispatch() {
    long idleNanos = pollNanos;
    while (running) {
      // Stopping only flips the flag and unparks: an interrupt could cut off a claim that Redis already
      // executed, leaving its jobs to wait for their visibility deadline.
      try {
        if (!idle.tryAcquire(pollNanos, TimeUnit.NANOSECONDS)) {
          continue;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      int wanted = 1 + idle.drainPermits();
      int cap = Math.min(wanted, claimBatch);
      idle.release(wanted - cap);
      List<ClaimedJob> jobs;
      try {
        jobs = running ? store.claim(type.name(), cap) : List.of();
        storeErrors.recovered();
      } catch (RuntimeException e) {
        if (running) {
          storeErrors.failed("claim", e);
        }
        jobs = List.of();
        idleNanos = Math.min(idleNanos * 2, MAX_IDLE_NANOS);
      }
      idle.release(cap - jobs.size());
      for (ClaimedJob job : jobs) {
        pool.execute(() -> runAndRelease(job));
      }
      if (jobs.isEmpty() && running) {
        LockSupport.parkNanos(this, idleNanos);
      } else if (!jobs.isEmpty()) {
        idleNanos = pollNanos;
      }
    }
  }

  private void runAndRelease(ClaimedJob first) {
    try {
      // A worker that acknowledges a job also claims its next one in the same round trip, so under a
      // backlog jobs flow without a hand-off through the dispatcher thread.
      for (ClaimedJob job = first; job != null; ) {
        job = run(job);
      }
    } catch (RuntimeException e) {
      // A store call failed after the handler ran: the job stays in flight and is taken back after its
      // visibility deadline, which is the at-least-once promise; nothing else to do here.
      storeErrors.failed("finishing a job", e);
    } finally {
      idle.release();
    }
  }

  /** Runs one attempt; returns the worker's next job, or null to go idle. */
  private ClaimedJob run(ClaimedJob job) {
    T payload;
    try {
      payload = type.codec().decode(job.payload());
    } catch (RuntimeException e) {
      if (store.deadLetter(job.id(), job.token(), "payload does not decode: " + describe(e))) {
        QueueMetrics.count(meters, QueueMetrics.TypeMeters::deadLettered);
      }
      return null;
    }
    if (workers.permits() != null) {
      long result = workers.permits().applyAsLong(1);
      if (!RateLimiter.isGranted(result)) {
        long waitMillis = Math.max(1, (RateLimiter.nanosToWait(result) + 999_999) / 1_000_000); // rounded up
        store.retry(job.id(), job.token(), waitMillis, "", true);
        return null;
      }
    }
    long start = System.nanoTime();
    Exception failure = null;
    try {
      handler.handle(new ClaimedView(job, payload));
    } catch (Exception e) {
      failure = e;
    }
    metrics.handled(meters, System.nanoTime() - start);
    if (failure == null) {
      if (!running) {
        if (store.ack(job.id(), job.token())) {
          QueueMetrics.count(meters, QueueMetrics.TypeMeters::processed);
        }
        return null;
      }
      QueueStore.AckAndClaim next = store.ackAndClaim(job.id(), job.token(), type.name());
      if (next.acked()) {
        QueueMetrics.count(meters, QueueMetrics.TypeMeters::processed);
      }
      return next.next();
    }
    if (abandoning && (failure instanceof InterruptedException || Thread.currentThread().isInterrupted())) {
      return null; // shutdown ran out of time: leave the job in flight for the visibility deadline to take back
    }
    QueueMetrics.count(meters, QueueMetrics.TypeMeters::failed);
    if (job.attempt() >= job.maxAttempts()) {
      if (store.deadLetter(job.id(), job.token(), describe(failure))) {
        QueueMetrics.count(meters, QueueMetrics.TypeMeters::deadLettered);
      }
      return null;
    }
    long backoffNanos = job.backoff().delayNanos(job.attempt(), 0);
    // A hint is a floor, never a shortcut (a half-open breaker says "0") nor a life sentence (a breaker
    // forced open says "forever"): at least the backoff, at most an hour per attempt.
    long delayNanos = failure instanceof RetryAfterHint hint
        ? Math.min(MAX_HINT_NANOS, Math.max(backoffNanos, saturatedNanos(hint.retryAfter())))
        : backoffNanos;
    if (store.retry(job.id(), job.token(), TimeUnit.NANOSECONDS.toMillis(delayNanos), describe(failure), false)) {
      QueueMetrics.count(meters, QueueMetrics.TypeMeters::retried);
    }
    return null;
  }

  private static final long MAX_HINT_NANOS = TimeUnit.HOURS.toNanos(1);

  private static long saturatedNanos(java.time.Duration duration) {
    return duration.isNegative() ? 0 : duration.compareTo(java.time.Duration.ofNanos(Long.MAX_VALUE)) >= 0
        ? Long.MAX_VALUE : duration.toNanos();
  }

  private static String describe(Throwable e) {
    String text = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return text.length() > 1000 ? text.substring(0, 1000) : text;
  }

  /** Stops claiming; signals the dispatcher thread. */
  void stopClaiming() {
    running = false;
    LockSupport.unpark(thread);
  }

  /** Waits for running handlers until {@code deadlineNanos}; interrupts those left; true if all finished. */
  boolean awaitDrained(long deadlineNanos) {
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
      pool.shutdown(); // after the dispatcher stopped, so every job it claimed was handed over
      if (pool.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    abandoning = true;
    pool.shutdownNow();
    return false;
  }

  /** The handler's view of one attempt. */
  private final class ClaimedView implements Job<T> {
    private final ClaimedJob job;
    private final T payload;

    ClaimedView(ClaimedJob job, T payload) {
      this.job = job;
      this.payload = payload;
    }

    @Override
    public String id() {
      return job.id();
    }

    @Override
    public JobType<T> type() {
      return type;
    }

    @Override
    public T payload() {
      return payload;
    }

    @Override
    public int attempt() {
      return job.attempt();
    }

    @Override
    public int maxAttempts() {
      return job.maxAttempts();
    }

    @Override
    public int priority() {
      return job.priority();
    }

    @Override
    public Optional<String> idempotencyKey() {
      return Optional.ofNullable(job.idempotencyKey());
    }

    @Override
    public boolean extendVisibility(Duration extension) {
      dev.ballast.core.internal.Check.positive(extension, "extension");
      return store.extend(job.id(), job.token(), Math.max(1, extension.toMillis()));
    }

    @Override
    public String toString() {
      return "Job[" + job.id() + ", " + type.name() + ", attempt " + job.attempt() + "/" + job.maxAttempts() + "]";
    }
  }
}
