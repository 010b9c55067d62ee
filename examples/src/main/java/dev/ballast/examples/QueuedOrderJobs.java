package dev.ballast.examples;

import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobOptions;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.queue.Workers;

/**
 * The "with Ballast" job queue: order confirmations on a {@link JobQueue} in Redis, shared by the fleet,
 * with retries and backoff and a dead-letter set. Each instance registers its own workers on the same
 * queue. The order id is the idempotency key, so a checkout retried by the client is one e-mail.
 */
final class QueuedOrderJobs implements OrderJobs {

  /** The job: its payload is the order id. */
  static final JobType<String> CONFIRMATION = JobType.of("order-confirmation", JobCodec.utf8());

  private final JobQueue queue;
  private final JobLedger ledger;

  QueuedOrderJobs(JobQueue queue, int workers, JobLedger ledger, MailSender mail) {
    this.queue = queue;
    this.ledger = ledger;
    queue.register(CONFIRMATION, Workers.of(workers), job -> {
      try {
        mail.sendConfirmation(job.payload());
      } catch (RuntimeException e) {
        ledger.failedAttempt(); // the queue retries it after its backoff, or dead-letters it
        throw e;
      }
      ledger.processed(job.payload());
    });
  }

  @Override
  public void enqueue(String orderId) {
    queue.enqueue(CONFIRMATION, orderId, JobOptions.builder().idempotencyKey(orderId).build());
    ledger.enqueued(orderId);
  }
}
