package dev.ballast.queue;

import java.util.List;

/**
 * A snapshot of a queue's depths, for monitoring and tests.
 *
 * @param readyByPriority jobs ready to run, indexed by priority (all types together)
 * @param delayed jobs waiting for their delay or their next attempt
 * @param inFlight jobs claimed by a worker and not yet acknowledged
 * @param dead jobs in the dead-letter set
 * @param oldestReadyAgeMillis how long the oldest ready job has been ready, 0 if none
 */
public record QueueStats(List<Long> readyByPriority, long delayed, long inFlight, long dead, long oldestReadyAgeMillis) {

  /** Copies the list. */
  public QueueStats {
    readyByPriority = List.copyOf(readyByPriority);
  }

  /** All ready jobs. */
  public long ready() {
    return readyByPriority.stream().mapToLong(Long::longValue).sum();
  }

  /** Jobs not yet finished: ready, delayed and in flight. */
  public long pending() {
    return ready() + delayed + inFlight;
  }
}
