package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One queue under load for failover tests ({@link QueueFailoverContract}, and the examples' combined failover
 * test through the module's test jar): worker instances, each on a client of its own, behind one producer
 * that enqueues {@code job-<n>} with the job as its idempotency key and enqueues the same job again after a
 * {@link QueueUnavailableException} (what the docs tell callers to do), so a job counts as acknowledged only
 * when an enqueue returned its id. The handlers wait behind a gate until {@link #releaseBacklog()}, so a
 * backlog builds up: what a failover can lose is jobs stored but not yet run.
 */
public final class QueueLoad implements AutoCloseable {

  /** Opens the queue on a new client of its own and adds the client to {@code clients} for closing. */
  public interface Opener {
    JobQueue open(QueueConfig config, List<AutoCloseable> clients);
  }

  private static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());

  private final QueueConfig config;
  private final Opener opener;
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Set<String> ran = ConcurrentHashMap.newKeySet();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private final List<JobQueue> queues = new ArrayList<>();
  private final AtomicBoolean producing = new AtomicBoolean(true);
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger runs = new AtomicInteger();
  private final CountDownLatch backlogGate = new CountDownLatch(1);
  private Thread producer;

  public QueueLoad(QueueConfig config, Opener opener) {
    this.config = config;
    this.opener = opener;
  }

  /** Opens {@code workers} worker instances and the producer's, and starts producing. */
  public void start(int workers) {
    for (int i = 0; i < workers; i++) {
      JobQueue queue = opener.open(config, clients);
      queues.add(queue);
      queue.register(TEXT, Workers.of(2), job -> {
        assertThat(backlogGate.await(60, TimeUnit.SECONDS)).isTrue();
        runs.incrementAndGet();
        ran.add(job.payload());
      });
    }
    JobQueue producerQueue = opener.open(config, clients);
    queues.add(producerQueue);
    producerQueue.declare(TEXT);
    producer = new Thread(() -> {
      while (producing.get()) {
        String job = "job-" + next.get();
        try {
          producerQueue.enqueue(TEXT, job, JobOptions.builder().idempotencyKey(job).build());
          acknowledged.add(job);
          next.incrementAndGet();
        } catch (QueueUnavailableException e) {
          refused.incrementAndGet();
          pause(20); // the failover is under way: the same job again, same idempotency key
        }
      }
    }, "failover-producer-" + config.name());
    producer.start();
  }

  /** Waits until {@code count} more jobs than now are acknowledged (up to {@code timeout}). */
  public void awaitMoreAcknowledged(int count, Duration timeout) {
    int target = next.get() + count;
    await().atMost(timeout).until(() -> next.get() >= target);
  }

  /** The number of the job the producer enqueues next (all before it are acknowledged). */
  public int next() {
    return next.get();
  }

  /** Enqueues refused so far (each enqueued again). */
  public int refused() {
    return refused.get();
  }

  /** Handler runs so far, a job run again (at least once) counted each time. */
  public int runs() {
    return runs.get();
  }

  /** Distinct jobs run so far. */
  public int distinctRuns() {
    return ran.size();
  }

  /** Lets the handlers run. */
  public void releaseBacklog() {
    backlogGate.countDown();
  }

  /** Stops the producer; returns how many jobs were acknowledged. */
  public int stopProducing() throws InterruptedException {
    producing.set(false);
    producer.join(10_000);
    assertThat(producer.isAlive()).as("the producer stopped").isFalse();
    return acknowledged.size();
  }

  /**
   * Releases the backlog and waits until every acknowledged job ran or the queue is drained, for as long as
   * jobs keep running: it gives up only after {@code stall} without a handler run (the backlog grows with the
   * failover's length on a loaded machine, so a fixed bound for the whole drain would fail a test whose
   * queue works). Returns the acknowledged jobs that never ran, in job order.
   */
  public Set<String> awaitLost(Duration stall) {
    releaseBacklog();
    JobQueue observer = queues.get(0);
    AtomicInteger runsSeen = new AtomicInteger(-1);
    AtomicLong progressAt = new AtomicLong(System.nanoTime());
    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      int now = runs.get();
      if (runsSeen.getAndSet(now) != now) {
        progressAt.set(System.nanoTime());
      } else if (System.nanoTime() - progressAt.get() > stall.toNanos()) {
        return true; // no job ran for the whole stall: what has not run by now is lost
      }
      return ran.containsAll(acknowledged) || drainedOrUnknown(observer);
    });
    Set<String> lost = new TreeSet<>(Comparator.comparingInt(QueueLoad::number));
    acknowledged.stream().filter(job -> !ran.contains(job)).forEach(lost::add);
    return lost;
  }

  private static boolean drainedOrUnknown(JobQueue queue) {
    try {
      return drained(queue);
    } catch (RuntimeException e) {
      return false; // not answering yet: ask again at the next poll
    }
  }

  /** The number in {@code job-<n>}. */
  public static int number(String job) {
    return Integer.parseInt(job.substring(4));
  }

  /**
   * True when nothing is left in the queue: a job not run by now never will be, it was lost (a handler
   * records its job before the ack, so a job no longer in flight has been recorded).
   */
  private static boolean drained(JobQueue queue) {
    QueueStats stats = queue.stats();
    return stats.ready() == 0 && stats.delayed() == 0 && stats.inFlight() == 0;
  }

  @Override
  public void close() throws Exception {
    backlogGate.countDown();
    producing.set(false);
    if (producer != null) {
      producer.join(10_000);
    }
    for (JobQueue queue : queues) {
      queue.shutdown(Duration.ofSeconds(5));
      queue.close();
    }
    for (AutoCloseable client : clients) {
      client.close();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
