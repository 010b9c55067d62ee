package dev.ballast.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "without Ballast" job queue: an in-process queue and a few worker threads, one attempt per job, as
 * a service without a job library would do it. A failed send is logged and dropped (counted as dead, so
 * the ledger still balances); jobs waiting when the process dies would be lost. Checkout still enqueues
 * here, so both runs do the same work per order.
 *
 * <p>Thread-safe: a blocking deque of pending jobs; counters are atomics.
 */
final class PlainOrderJobs implements OrderJobs, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PlainOrderJobs.class);

  private record Pending(String orderId, long enqueuedNanos) {}

  private final LinkedBlockingDeque<Pending> pending = new LinkedBlockingDeque<>();
  private final AtomicLong running = new AtomicLong();
  private final LongAdder dead = new LongAdder();
  private final JobLedger ledger;
  private final MailSender mail;
  private final List<Thread> workers = new ArrayList<>();

  PlainOrderJobs(String name, int workerCount, JobLedger ledger, MailSender mail) {
    this.ledger = ledger;
    this.mail = mail;
    for (int i = 0; i < workerCount; i++) {
      Thread worker = new Thread(this::work, name + "-worker-" + i);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  @Override
  public void enqueue(String orderId) {
    ledger.enqueued(orderId);
    pending.add(new Pending(orderId, System.nanoTime()));
  }

  long dead() {
    return dead.sum();
  }

  /** Jobs queued or running. */
  long waiting() {
    return pending.size() + running.get();
  }

  /** How long the oldest queued job has waited, in milliseconds. */
  long oldestAgeMillis() {
    Pending oldest = pending.peekFirst();
    return oldest == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - oldest.enqueuedNanos());
  }

  private void work() {
    while (!Thread.currentThread().isInterrupted()) {
      Pending job;
      try {
        job = pending.take();
      } catch (InterruptedException e) {
        return;
      }
      running.incrementAndGet();
      try {
        mail.sendConfirmation(job.orderId());
        ledger.processed(job.orderId());
      } catch (InterruptedException e) {
        pending.addFirst(job); // stopping: leave it for the count of waiting jobs
        return;
      } catch (RuntimeException e) {
        ledger.failedAttempt();
        dead.increment();
        LOG.debug("confirmation of {} dropped: {}", job.orderId(), e.getMessage());
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Override
  public void close() {
    workers.forEach(Thread::interrupt);
    for (Thread worker : workers) {
      try {
        worker.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
