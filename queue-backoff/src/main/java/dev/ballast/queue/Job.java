package dev.ballast.queue;

import java.time.Duration;
import java.util.Optional;

/**
 * One attempt of a job as its handler sees it. Valid only during {@link JobHandler#handle}.
 *
 * @param <T> the payload type
 */
public interface Job<T> {

  /** The job's id, as {@link JobQueue#enqueue} returned it. */
  String id();

  /** The job's type. */
  JobType<T> type();

  /** The decoded payload. */
  T payload();

  /** This attempt's number: 1 for the first. */
  int attempt();

  /** How many attempts the job may have in all. */
  int maxAttempts();

  /** The priority it was enqueued with. */
  int priority();

  /** The idempotency key it was enqueued with, if any. */
  Optional<String> idempotencyKey();

  /**
   * Pushes this attempt's visibility deadline to {@code extension} from now, for long work: without
   * it, a job still running at its deadline is taken to belong to a dead worker and is run again.
   *
   * @return false if the job is no longer this worker's (its deadline already passed and it was
   *     reclaimed, or a shutdown gave up waiting for it and left it to its visibility deadline); the handler
   *     should then stop
   * @throws IllegalArgumentException if {@code extension} is not positive
   * @throws QueueUnavailableException if the backend cannot be reached
   */
  boolean extendVisibility(Duration extension);
}
