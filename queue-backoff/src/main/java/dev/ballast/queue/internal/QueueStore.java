package dev.ballast.queue.internal;

import dev.ballast.queue.DeadLetter;
import dev.ballast.queue.QueueStats;
import java.util.List;

/**
 * The narrow port between the worker machinery and a backend: every state change of a job is one call
 * here, atomic in the backend. Each claim carries a fencing token: an ack, fail or extend with a token that
 * is no longer the job's current in-flight claim (because its visibility deadline passed and another
 * worker claimed it) changes nothing and returns false.
 *
 * <p>Times are the backend's milliseconds: its own clock (Redis {@code TIME}) unless a test ticker is
 * configured. Implementations are thread-safe.
 */
public interface QueueStore extends AutoCloseable {

  /** Stores the jobs; returns their ids in order (the first job's id for a repeated idempotency key). */
  List<String> enqueue(List<NewJob> jobs);

  /**
   * Claims up to {@code max} ready jobs of {@code type}, weighted across priorities, after promoting due
   * delayed jobs and taking back expired in-flight ones; each claim starts a new attempt. A job whose
   * stored data is corrupt is dead-lettered alone, with the reason, and reported in {@link Claim#rejected()};
   * it never fails the claim of the others.
   */
  Claim claim(String type, int max);

  /**
   * What a claim did: the jobs now in flight for the caller, and those the store dead-lettered on the way
   * because their stored data is corrupt (never in {@code jobs}).
   */
  record Claim(List<ClaimedJob> jobs, List<Rejected> rejected) {
    static final Claim NONE = new Claim(List.of(), List.of());
  }

  /** A job dead-lettered alone because its stored data cannot be used, and why. */
  record Rejected(String id, String reason) {}

  /** Finishes the attempt: the job is deleted. */
  boolean ack(String id, long token);

  /**
   * {@link #ack}s every one of {@code acks}, then {@link #claim}s up to {@code max} jobs of {@code type}
   * (none when {@code max} is 0), in one round trip: how a dispatcher acknowledges the jobs its workers
   * finished and fetches their next ones at once.
   */
  AckAndClaim ackAndClaim(List<Ack> acks, String type, int max);

  /** A finished attempt to acknowledge: the job and the claim's fencing token. */
  record Ack(String id, long token) {}

  /** What {@link #ackAndClaim} did: how many acks counted (their token was current), and the claim. */
  record AckAndClaim(int acked, Claim next) {}

  /**
   * Calls {@code listener} with a job type's name when jobs of that type became ready through any
   * instance (an enqueue, a requeue, a retry without delay), so an idle dispatcher can claim at once
   * instead of at its next poll. Best effort: a notice can be lost (a dropped subscription), so the poll
   * stays the safety net. The in-memory store has no other instance and sends none. Call once.
   */
  default void onReady(java.util.function.Consumer<String> listener) {}

  /**
   * Ends the attempt with {@code error} and schedules the job again after {@code delayMillis}; with
   * {@code refund} the attempt does not count (the job did not run, e.g. no rate-limit permit).
   */
  boolean retry(String id, long token, long delayMillis, String error, boolean refund);

  /** Ends the attempt and moves the job to the dead-letter set with {@code reason}. */
  boolean deadLetter(String id, long token, String reason);

  /** Pushes the attempt's visibility deadline to {@code millis} from now. */
  boolean extend(String id, long token, long millis);

  /** Up to {@code limit} dead letters, oldest first. */
  List<DeadLetter> listDead(int limit);

  /**
   * Moves a dead letter back to ready with its attempts reset; false if there is no such dead letter, or
   * its stored data is corrupt (it then stays a dead letter, its last error saying why).
   */
  boolean requeueDead(String id);

  /** Deletes every dead letter; returns how many. */
  long purgeDead();

  /** Depths now. */
  QueueStats stats();

  @Override
  void close();
}
