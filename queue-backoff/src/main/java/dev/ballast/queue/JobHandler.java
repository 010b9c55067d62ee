package dev.ballast.queue;

/**
 * Does the work of one job type. Returning normally acknowledges the job; throwing fails the attempt,
 * which is retried after the job's backoff (or after {@link dev.ballast.core.RetryAfterHint#retryAfter()}
 * when the exception implements it) until the job's attempts are spent, and then dead-lettered.
 *
 * <p>Delivery is at least once: a worker that dies before acknowledging leaves its job to be run again
 * after the visibility deadline. Handlers with side effects should therefore be idempotent, for example
 * by recording {@link Job#idempotencyKey()} or {@link Job#id()} with the effect.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface JobHandler<T> {

  /**
   * Handles one attempt of a job.
   *
   * @throws Exception to fail this attempt
   */
  void handle(Job<T> job) throws Exception;
}
