package dev.ballast.queue.internal;

import dev.ballast.core.RetryAfterHint;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.BallastThreads;
import dev.ballast.core.internal.Check;
import dev.ballast.queue.Job;
import dev.ballast.queue.JobHandler;
import dev.ballast.queue.JobType;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the handler of one job type: a dispatcher thread, the one claimer of this type in this instance,
 * claims as many jobs as there are idle worker slots (never more, so no claimed job waits in this JVM while
 * its visibility deadline runs for want of a slot) and hands them to runners, pool threads that each run
 * ready jobs one after another and start one more runner while jobs wait ({@link #runReady}). A worker (one
 * job's run) that finishes leaves its acknowledgement to the dispatcher, which sends the acks of every job
 * finished meanwhile together with the claim of their next jobs in one round trip: under a backlog one call
 * serves many workers, and no worker waits on Redis.
 *
 * <p>Design note: shared state is the semaphore of idle slots (acquired by the dispatcher, given back by a
 * worker when its job is finished, or by the dispatcher when it writes off a hung worker), the queue of
 * ready jobs and the count of searching runners ({@link #runReady}), the queue of acks not yet sent, the set
 * of busy workers, the volatile {@code running}, {@code abandoning} and {@code takesAcks} flags, and the
 * dispatcher thread, which workers unpark when they finish. Each {@link Worker} owns its slot until one CAS
 * on its state decides who gives the slot back: the worker when it finishes, or the dispatcher when the
 * worker's handler outlived its visibility deadline plus the grace (then the worker is interrupted and its
 * slot goes to a new worker; the hung one, if it ever returns, only acknowledges its job under its fencing
 * token, and its thread goes on with ready jobs, each holding a slot of its own). A worker never claims, and
 * a job runs only on the slot it was claimed with, so a written-off worker can never run a job beyond the
 * pool's concurrency. Everything a job needs travels with the job, including the claim's fencing token, so a
 * late worker can never finish a job that was handed to another. After a stop the dispatcher keeps sending
 * acks until every slot is back; an ack queued after it left is sent by the worker itself ({@code takesAcks}
 * false).
 *
 * @param <T> the payload type
 */
final class Dispatcher<T> {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_HINT_NANOS = TimeUnit.HOURS.toNanos(1);

  private final String queue;
  private final JobType<T> type;
  private final Workers workers;
  private final JobHandler<T> handler;
  private final QueueStore store;
  private final int claimBatch;
  private final long pollNanos;
  private final long visibilityNanos;
  private final long graceNanos;
  private final Ticker ticker;
  private final QueueMetrics metrics;
  private final QueueMetrics.TypeMeters meters;
  private final ThrottledLog storeErrors;
  /** The application's executor refusing jobs: its own log, so that a claim that works does not reset it. */
  private final ThrottledLog executorRefusals;
  private final MinuteLog corruptLog;
  private final Semaphore idle;
  private final Set<Worker> busy = ConcurrentHashMap.newKeySet();
  /** Finished jobs whose ack the dispatcher sends with its next claim. */
  private final ConcurrentLinkedQueue<QueueStore.Ack> acks = new ConcurrentLinkedQueue<>();
  /** Claimed jobs no runner has taken yet, each holding its slot (see {@link #runReady}). */
  private final ConcurrentLinkedQueue<Worker> ready = new ConcurrentLinkedQueue<>();
  /** Runners started and not yet woken, or between two jobs: while one is, no other is started. */
  private final AtomicInteger searching = new AtomicInteger();
  /** {@link #runReady} as one task, handed to the pool for every runner. */
  private final Runnable runner = this::runReady;
  /** Written-off workers whose thread has not returned yet; at most {@code concurrency} at a time. */
  private final AtomicInteger stillHung = new AtomicInteger();
  private final String threadName;
  /** Where workers run: the application's executor, or {@link #ownPool}; set before start() returns. */
  private volatile Executor pool;
  /** The pool this dispatcher started (null with the application's executor); shut down with it. */
  private volatile ThreadPoolExecutor ownPool;
  /** The dispatcher thread, set by start(): before that, unparking it is a no-op. */
  private volatile Thread thread;
  private long lastHungCheck = System.nanoTime(); // dispatcher thread only
  private volatile boolean running = true;
  private volatile boolean abandoning;
  /** False once the dispatcher thread left: a worker then sends its own ack. */
  private volatile boolean takesAcks = true;
  /**
   * True while the dispatcher parks waiting for work. A finishing worker unparks it only then: an unpark
   * while it waits for a Redis reply would only wake that wait for nothing, a context switch per job.
   */
  private volatile boolean parked;
  /**
   * Raised by {@link #wake()} before it unparks, lowered before each claim: the unpark alone was lost when
   * it came while this thread waited for a claim's reply (a blocking Redis call parks too, and takes the
   * permit), and a job enqueued then waited for the next poll.
   */
  private volatile boolean woken;

  Dispatcher(QueueConfig config, JobType<T> type, Workers workers, JobHandler<T> handler, QueueStore store,
      QueueMetrics metrics, Ticker ticker) {
    this.queue = config.name();
    this.type = type;
    this.workers = workers;
    this.handler = handler;
    this.store = store;
    this.claimBatch = config.claimBatch();
    this.pollNanos = config.pollInterval().toNanos();
    this.visibilityNanos = config.visibilityTimeout().toNanos();
    this.graceNanos = config.hungHandlerGrace().toNanos();
    this.ticker = ticker;
    this.metrics = metrics;
    this.meters = metrics.forType(type.name());
    this.storeErrors = new ThrottledLog(log, "Queue " + queue + ", job type " + type.name());
    this.executorRefusals = new ThrottledLog(log, "Queue " + queue + ", job type " + type.name());
    this.corruptLog = new MinuteLog(log);
    this.idle = new Semaphore(workers.concurrency());
    this.threadName = "queue-" + queue + "-" + type.name();
    this.pool = workers.executor();
  }

  /**
   * Creates and starts the dispatcher thread and, unless the application gave an executor, the worker
   * pool (its threads start as jobs come), all through {@link BallastThreads}. Called once, by
   * registration, after construction: no thread sees a half-built dispatcher.
   */
  void start() {
    if (pool == null) {
      ThreadFactory threads = BallastThreads.factory(threadName);
      // The slots bound the running workers; the pool may hold more threads than slots only while
      // written-off hung ones have not returned. Extra threads die after a minute idle.
      ownPool = new ThreadPoolExecutor(workers.concurrency(), Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(), r -> {
            Thread t = threads.newThread(r);
            // Reached only by what the worker rethrows (a VirtualMachineError, after recording its attempt).
            t.setUncaughtExceptionHandler((dead, e) -> log.error("Queue {}: worker thread {} ended by {}; a new"
                + " thread takes its place", queue, dead.getName(), e.toString(), e));
            return t;
          });
      pool = ownPool;
    }
    Thread dispatcher = BallastThreads.thread(threadName + "-dispatcher", this::dispatch);
    thread = dispatcher;
    dispatcher.start();
  }

  /** The job type this dispatcher runs. */
  String typeName() {
    return type.name();
  }

  /** Ends an idle wait at once, e.g. after a local enqueue. */
  void wake() {
    woken = true;
    LockSupport.unpark(thread);
  }

  private void dispatch() {
    long idleNanos = pollNanos;
    while (true) {
      boolean claiming = running;
      // After a stop: stay until every slot is back, to send the acks of the jobs still running.
      if (!claiming && (abandoning || idle.availablePermits() >= workers.concurrency())) {
        break;
      }
      replaceHungWorkers();
      if (!ready.isEmpty()) {
        startRunner(); // jobs a runner could not hand on (the executor refused it, or its thread died)
      }
      List<QueueStore.Ack> finished = drainAcks();
      int cap = claiming ? takeSlots() : 0;
      if (finished.isEmpty() && cap == 0) {
        // Every slot busy: a finishing worker unparks this thread. Stopping only flips the flag and unparks:
        // an interrupt could cut off a claim that Redis already executed, leaving its jobs to wait for
        // their visibility deadline.
        park(pollNanos, true);
        continue;
      }
      woken = false; // a wake-up from here on may be for a job this claim does not see: claim again then
      long claimedAt = ticker.read();
      QueueStore.AckAndClaim result;
      try {
        result = store.ackAndClaim(finished, type.name(), cap);
        storeErrors.recovered();
      } catch (RuntimeException e) {
        // The acks are lost: those jobs run again after their visibility deadline (at least once).
        storeFailed(finished.isEmpty() ? "claim" : "ack and claim", e);
        result = new QueueStore.AckAndClaim(0, QueueStore.Claim.NONE);
        idleNanos = Math.min(idleNanos * 2, MAX_IDLE_NANOS);
      }
      QueueMetrics.count(meters, QueueMetrics.TypeMeters::processed, result.acked());
      reportCorrupt(result.next().rejected());
      List<ClaimedJob> jobs = result.next().jobs();
      idle.release(cap - jobs.size());
      for (ClaimedJob job : jobs) {
        ready.add(new Worker(job, claimedAt));
      }
      int refused = jobs.isEmpty() ? 0 : startRunner();
      if (refused > 0 && running) {
        // The application's executor is full: claiming again at once would take the next jobs only to hand
        // them back. Wait as for an empty queue (a finishing worker or the poll ends it), backing off.
        idleNanos = Math.min(idleNanos * 2, MAX_IDLE_NANOS);
        woken = false; // an enqueue notice must not cut the back-off short: the executor, not Redis, is full
        park(idleNanos, false);
      } else if (!jobs.isEmpty()) {
        idleNanos = pollNanos;
        executorRefusals.recovered();
      } else if (cap > 0 && acks.isEmpty() && running) {
        // Nothing ready: wait for the poll, a notice (an enqueue anywhere), or a finishing worker.
        park(idleNanos, false);
      }
    }
    takesAcks = false;
    if (!abandoning) {
      sendAcks();
    }
  }

  /**
   * Starts a runner for the ready jobs unless one is already searching. If the executor refuses it, every
   * job still ready goes back to the queue; returns how many did.
   */
  private int startRunner() {
    RejectedExecutionException refusal = startRunnerUnlessSearching();
    if (refusal == null) {
      return 0;
    }
    int refused = 0;
    for (Worker w; (w = ready.poll()) != null; refused++) {
      idle.release();
      handBack(w.job, refusal);
    }
    return refused;
  }

  /**
   * Starts a runner unless one is searching already (it takes the ready jobs). Returns the executor's
   * refusal, then nobody counts as searching; null otherwise.
   */
  private RejectedExecutionException startRunnerUnlessSearching() {
    if (!searching.compareAndSet(0, 1)) {
      return null;
    }
    try {
      pool.execute(runner);
      return null;
    } catch (RejectedExecutionException e) {
      searching.decrementAndGet();
      return e;
    }
  }

  /**
   * A runner: runs ready jobs one after the other on one pool thread until none is left. Before each job it
   * starts one more runner if jobs are still waiting and no runner is searching, so jobs that block each
   * get a thread within one wake-up per job, while short jobs are run by the thread that is already awake:
   * one thread per job cost two context switches per job (its wake-up and its park), the most of a short
   * job's cost on a small machine. A job added while this runner was searching is seen by its last look
   * at the queue, after it stopped counting itself as searching, which is when the adder looked.
   */
  private void runReady() {
    while (true) {
      // Once shutdown gave up, claimed jobs not started stay in flight for their visibility deadline.
      Worker next = abandoning ? null : ready.poll();
      searching.decrementAndGet();
      if (next == null) {
        if (abandoning || ready.isEmpty() || !searching.compareAndSet(0, 1)) {
          return;
        }
        continue; // searching again: a job came after the poll, and its adder saw this runner searching
      }
      startAnotherIfWaiting();
      try {
        next.run();
      } catch (Throwable fatal) {
        // Only a VirtualMachineError, after the attempt was recorded: this thread ends, another takes over.
        startAnotherIfWaiting();
        throw fatal;
      }
      searching.incrementAndGet();
    }
  }

  /**
   * From a runner: one more runner if jobs wait and none is searching. If the executor is full, the
   * runners running take the waiting jobs in turn (and the dispatcher hands back any no runner is left for).
   */
  private void startAnotherIfWaiting() {
    if (!ready.isEmpty()) {
      startRunnerUnlessSearching();
    }
  }

  /**
   * A claimed job the executor refused. While running (the application's executor is full or shut down)
   * it goes back to the queue with its attempt refunded (it never ran, so it must not move towards the dead
   * letters), ready again after one poll interval: a retry without delay would announce it as ready and
   * wake this dispatcher into claiming it straight back. At shutdown, or if the store is unreachable, it
   * stays in flight and is taken back after its visibility deadline (at least once).
   */
  private void handBack(ClaimedJob job, RejectedExecutionException refusal) {
    if (!running || ownPool != null) {
      return; // Ballast's own pool refuses only once shutdown gave up on this dispatcher
    }
    executorRefusals.failed("handing a job to the application's executor", refusal);
    try {
      store.retry(job.id(), job.token(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(pollNanos)), "", true);
    } catch (RuntimeException e) {
      storeFailed("handing back a job the executor refused", e);
    }
  }

  /**
   * Parks up to {@code nanos}, unless a worker finished meanwhile (or, {@code forSlot}, gave a slot back;
   * after a stop, every slot; or, waiting for work, a wake-up came since the last claim).
   * The flag is raised before the check, and a worker raises its ack or slot before it reads the flag, so
   * one of the two always sees the other.
   */
  private void park(long nanos, boolean forSlot) {
    parked = true;
    try {
      // After a stop the dispatcher waits for every slot, not for one.
      int enough = running ? 1 : workers.concurrency();
      if (acks.isEmpty() && !(forSlot && idle.availablePermits() >= enough) && (forSlot || !woken)) {
        LockSupport.parkNanos(this, nanos);
      }
    } finally {
      parked = false;
    }
  }

  /** Up to {@code claimBatch} idle slots, taken; at least one unless none is idle. */
  private int takeSlots() {
    int free = idle.drainPermits();
    int cap = Math.min(free, claimBatch);
    idle.release(free - cap);
    return cap;
  }

  private List<QueueStore.Ack> drainAcks() {
    QueueStore.Ack a = acks.poll();
    if (a == null) {
      return List.of();
    }
    List<QueueStore.Ack> out = new ArrayList<>();
    do {
      out.add(a);
    } while (out.size() < claimBatch && (a = acks.poll()) != null);
    return out;
  }

  /** Sends the queued acks from the calling thread: the dispatcher's last act, or a worker's after it. */
  private void sendAcks() {
    for (List<QueueStore.Ack> batch = drainAcks(); !batch.isEmpty(); batch = drainAcks()) {
      try {
        QueueMetrics.count(meters, QueueMetrics.TypeMeters::processed,
            store.ackAndClaim(batch, type.name(), 0).acked());
      } catch (RuntimeException e) {
        storeFailed("ack", e);
        return;
      }
    }
  }

  /**
   * A store call failed. A {@link dev.ballast.queue.QueueUnavailableException} (or an interrupt) was
   * already counted and logged by the store's guard, once per outage: logging it here again would say
   * the same thing once more per job type. Anything else is a bug worth a line.
   */
  private void storeFailed(String operation, RuntimeException e) {
    if (e instanceof dev.ballast.queue.QueueUnavailableException || e instanceof dev.ballast.queue.QueueInterruptedException) {
      log.debug("Queue {}, job type {}: {} failed: {}", queue, type.name(), operation, e.toString());
    } else if (running) {
      storeErrors.failed(operation, e);
    }
  }

  private void reportCorrupt(List<QueueStore.Rejected> rejected) {
    if (rejected.isEmpty()) {
      return;
    }
    metrics.corrupt(rejected.size());
    for (QueueStore.Rejected r : rejected) {
      corruptLog.warn("Queue " + queue + ": job " + r.id() + " dead-lettered alone, its neighbours go on: " + r.reason());
    }
  }

  /**
   * Writes off every worker whose handler has run past its visibility deadline plus the grace: counted,
   * logged once, interrupted, and its slot given to a new worker, so hung handlers cannot take every
   * slot. The job's claim lapses and the job is taken back as any other whose worker died. At most
   * {@code concurrency} written-off threads may be alive at once, so handlers that ignore interrupts
   * cannot grow the pool without bound; past that, slots stay taken until one returns.
   */
  private void replaceHungWorkers() {
    long nowNanos = System.nanoTime();
    if (nowNanos - lastHungCheck < Math.min(pollNanos, MAX_IDLE_NANOS)) {
      return;
    }
    lastHungCheck = nowNanos;
    long now = ticker.read();
    for (Worker w : busy) {
      if (now - w.deadline - graceNanos <= 0 || stillHung.get() >= workers.concurrency()) {
        continue;
      }
      if (w.abandon()) {
        stillHung.incrementAndGet();
        QueueMetrics.count(meters, QueueMetrics.TypeMeters::hung);
        ClaimedJob job = w.job;
        log.warn("Queue {}: the handler of job {} ({}, attempt {}) has run {} ms past its visibility deadline plus"
            + " the grace of {} ms; interrupting thread {} and giving its slot to a new worker (the job will be"
            + " taken back and run again)", queue, job.id(), type.name(), job.attempt(),
            TimeUnit.NANOSECONDS.toMillis(now - w.deadline - graceNanos), TimeUnit.NANOSECONDS.toMillis(graceNanos),
            w.thread.getName());
        w.interrupt();
        idle.release();
      }
    }
  }

  /** One worker's run of one job. */
  private final class Worker implements Runnable {
    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int ABANDONED = 2;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private volatile Thread thread;
    /** Guarded by this: whether {@link #run} is in progress, and whether the queue interrupted it. */
    private boolean inRun;
    private boolean interruptedByQueue;
    private final ClaimedJob job;
    /** This attempt's visibility deadline on the queue's ticker, as this instance knows it. */
    private volatile long deadline;

    Worker(ClaimedJob first, long claimedAt) {
      this.job = first;
      this.deadline = claimedAt + visibilityNanos;
    }

    boolean abandon() {
      return state.compareAndSet(RUNNING, ABANDONED);
    }

    boolean abandoned() {
      return state.get() == ABANDONED;
    }

    void extended(long from, long nanos) {
      deadline = from + nanos;
    }

    /**
     * Interrupts the handler, only while this worker runs: on an application's executor the thread runs the
     * application's next task once this one returns, and an interrupt must not reach that.
     */
    synchronized void interrupt() {
      if (inRun) {
        interruptedByQueue = true;
        thread.interrupt();
      }
    }

    @Override
    public void run() {
      synchronized (this) {
        thread = Thread.currentThread();
        inRun = true;
      }
      busy.add(this);
      try {
        attempt(job, this);
      } catch (RuntimeException e) {
        // A store call failed after the handler ran: the job stays in flight and is taken back after its
        // visibility deadline, which is the at-least-once promise; nothing else to do here.
        storeFailed("finishing a job", e);
      } finally {
        synchronized (this) {
          inRun = false;
          if (interruptedByQueue) {
            Thread.interrupted(); // ours, and the handler did not take it: the thread's next task must not see it
          }
        }
        busy.remove(this);
        if (state.compareAndSet(RUNNING, DONE)) {
          idle.release();
        } else {
          stillHung.decrementAndGet(); // written off: its slot was given away then
        }
        if (parked || !running) {
          LockSupport.unpark(Dispatcher.this.thread);
        }
      }
    }
  }

  /** Runs one attempt. */
  private void attempt(ClaimedJob job, Worker worker) {
    T payload;
    try {
      payload = type.codec().decode(job.payload());
    } catch (RuntimeException | Error e) {
      try {
        if (store.deadLetter(job.id(), job.token(), "payload does not decode: " + describe(e))) {
          QueueMetrics.count(meters, QueueMetrics.TypeMeters::deadLettered);
        }
      } finally {
        rethrowIfFatal(e);
      }
      return;
    }
    if (workers.limiter() != null) {
      long waitNanos = workers.limiter().tryAcquireOrNanosToWait(1);
      if (waitNanos > 0) {
        long waitMillis = Math.max(1, (waitNanos + 999_999) / 1_000_000); // rounded up
        store.retry(job.id(), job.token(), waitMillis, "", true);
        return;
      }
    }
    if (!worker.abandoned() && !abandoning) {
      // Only a handler's own leftover interrupt can be set here (the queue interrupts a worker only when it
      // writes it off or gives up at shutdown): it must not reach the next handler of this thread.
      Thread.interrupted();
    }
    long start = System.nanoTime();
    Throwable failure = null;
    try {
      handler.handle(new ClaimedView(job, payload, worker));
    } catch (Throwable e) { // an Error too: it fails this attempt like any exception, and is recorded first
      failure = e;
    }
    metrics.handled(meters, System.nanoTime() - start);
    if (failure == null) {
      acks.add(new QueueStore.Ack(job.id(), job.token()));
      if (!takesAcks && !abandoning) {
        sendAcks(); // the dispatcher has left (shutdown): nobody else will
      }
      return;
    }
    try {
      recordFailure(job, failure, worker);
    } finally {
      rethrowIfFatal(failure);
    }
  }

  /** Only what the JVM cannot go on from (out of memory, a broken VM) ends the worker thread, after recording. */
  private static void rethrowIfFatal(Throwable e) {
    if (e instanceof VirtualMachineError fatal) {
      throw fatal;
    }
  }

  /**
   * Records a failed attempt: a retry after the backoff, or a dead letter after the last attempt. Counted
   * as {@code failed} only when the store took it, as {@code processed} counts only jobs the store
   * acknowledged: an attempt whose job was already taken back (its token is stale) is no recorded failure.
   */
  private void recordFailure(ClaimedJob job, Throwable failure, Worker worker) {
    if (worker.abandoned() || abandoning) {
      // The handler hung past its deadline and grace (counted once, as hung), or shutdown ran out of time
      // (then no thread of this queue may wait on Redis any more): leave the job in flight for the
      // visibility deadline to take back.
      return;
    }
    if (job.attempt() >= job.maxAttempts()) {
      if (store.deadLetter(job.id(), job.token(), describe(failure))) {
        QueueMetrics.count(meters, QueueMetrics.TypeMeters::failed);
        QueueMetrics.count(meters, QueueMetrics.TypeMeters::deadLettered);
      }
      return;
    }
    long backoffNanos = job.backoff().delayNanos(job.attempt(), 0);
    // A hint is a floor, never a shortcut (a half-open breaker says "0") nor a life sentence (a breaker
    // forced open says "forever"): at least the backoff, at most an hour per attempt.
    long delayNanos = failure instanceof RetryAfterHint hint
        ? Math.min(MAX_HINT_NANOS, Math.max(backoffNanos, saturatedNanos(hint.retryAfter())))
        : backoffNanos;
    if (store.retry(job.id(), job.token(), TimeUnit.NANOSECONDS.toMillis(delayNanos), describe(failure), false)) {
      QueueMetrics.count(meters, QueueMetrics.TypeMeters::failed);
      QueueMetrics.count(meters, QueueMetrics.TypeMeters::retried);
    }
  }

  private static long saturatedNanos(Duration duration) {
    return duration.isNegative() ? 0 : duration.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0
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

  /**
   * Waits until {@code deadlineNanos} (on {@link System#nanoTime()}) for the dispatcher to stop and every
   * worker slot to come back; interrupts the handlers still running then, whose jobs stay in flight. An
   * interrupt of the caller ends the wait the same way, with the flag kept. True if all finished in time.
   */
  boolean awaitDrained(long deadlineNanos) {
    Thread thread = this.thread;
    if (thread == null) {
      return true; // never started
    }
    if (abandoning) {
      return false; // an earlier shutdown gave up: waiting again would only spend another timeout
    }
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
      // Every slot back means every worker that was not written off returned; written-off ones are not
      // waited for (their jobs are already left to the visibility deadline).
      if (!thread.isAlive()
          && idle.tryAcquire(workers.concurrency(), Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        idle.release(workers.concurrency());
        if (ownPool != null) {
          ownPool.shutdown();
        }
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    abandoning = true;
    // The dispatcher may be waiting for a Redis reply (paused or dead Redis: up to the client's command
    // timeout). Past the deadline a claim cut off is no loss: its jobs come back after their visibility
    // deadline, as the acks it no longer sends do.
    thread.interrupt();
    if (ownPool != null) {
      ownPool.shutdownNow();
    } else {
      // Not ours to shut down: interrupt only the handlers of this queue still running on it.
      for (Worker w : busy) {
        w.interrupt();
      }
    }
    return false;
  }

  /**
   * Waits until {@code deadlineNanos} for the dispatcher thread and the threads of this dispatcher's own
   * pool to end, after {@link #awaitDrained}: they were stopped or interrupted, and no longer wait on
   * Redis, so only a handler that ignores its interrupt keeps one alive. The application's executor is
   * not waited for. True if they all ended.
   */
  boolean awaitThreads(long deadlineNanos) {
    Thread thread = this.thread;
    if (thread == null) {
      return true;
    }
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
      ThreadPoolExecutor own = ownPool;
      return !thread.isAlive()
          && (own == null || own.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The handler's view of one attempt. */
  private final class ClaimedView implements Job<T> {
    private final ClaimedJob job;
    private final T payload;
    private final Worker worker;

    ClaimedView(ClaimedJob job, T payload, Worker worker) {
      this.job = job;
      this.payload = payload;
      this.worker = worker;
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
      Check.positive(extension, "extension");
      if (abandoning) {
        return false; // shutdown gave up on this job: it is left to its visibility deadline
      }
      long from = ticker.read();
      boolean extended = store.extend(job.id(), job.token(), Math.max(1, extension.toMillis()));
      if (extended) {
        worker.extended(from, Check.saturatedNanos(extension));
      }
      return extended;
    }

    @Override
    public String toString() {
      return "Job[" + job.id() + ", " + type.name() + ", attempt " + job.attempt() + "/" + job.maxAttempts() + "]";
    }
  }
}
