package dev.ballast.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Everything one run records: a {@link Slice} per second and per phase (and a {@link SearchSlice} per
 * phase for the searches, which the slices leave out) (a request goes to the second and
 * the phase in which it was scheduled, whenever it finishes: the one convention of the tables, the charts
 * and the console's progress lines), how many requests each second scheduled (so a second's figures are
 * known to be final once as many have finished), and per second a {@link Sample} of the service's state,
 * taken by the sampler at the end of that second. Thread-safe.
 */
final class Timeline {

  /**
   * The service's state at the end of one second.
   *
   * @param databaseCalls database queries during the second
   * @param switchboard the switchboard's degraded switches ("normal"; "-" without one)
   */
  record Sample(long databaseCalls, boolean serveCached, String switchboard, long jobsWaiting, long writesWaiting) {}

  private final long startNanos;
  private final List<Slice> seconds = new ArrayList<>();
  private final List<Slice> phases = new ArrayList<>();
  private final List<SearchSlice> searches = new ArrayList<>();
  private final AtomicLongArray scheduled;
  private final AtomicReferenceArray<Sample> samples;

  Timeline(long startNanos, List<Phase> phaseList) {
    this.startNanos = startNanos;
    Duration total = phaseList.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
    int count = (int) Math.ceil(total.toMillis() / 1000.0);
    for (int s = 0; s < count; s++) {
      seconds.add(new Slice());
    }
    for (int p = 0; p < phaseList.size(); p++) {
      phases.add(new Slice());
      searches.add(new SearchSlice());
    }
    scheduled = new AtomicLongArray(count);
    samples = new AtomicReferenceArray<>(count);
  }

  /** The latest second a request was scheduled in; written by the driver thread only. */
  private volatile int lastScheduledSecond = -1;

  long startNanos() {
    return startNanos;
  }

  int secondCount() {
    return seconds.size();
  }

  /** Counts a request scheduled at {@code scheduledNanos}, before it is sent (one driver thread, in order). */
  void scheduled(long scheduledNanos) {
    int second = secondOf(scheduledNanos);
    scheduled.incrementAndGet(second);
    if (second > lastScheduledSecond) {
      lastScheduledSecond = second;
    }
  }

  /** Says that no more requests will be scheduled: every second's count is final. */
  void allScheduled() {
    lastScheduledSecond = Integer.MAX_VALUE;
  }

  /**
   * Whether every request of {@code second} has been scheduled: the driver has moved past it. A loaded
   * machine can leave the driver behind the clock, so the end of a second alone does not say so.
   */
  boolean scheduledThrough(int second) {
    return lastScheduledSecond > second;
  }

  /** Records one request scheduled at {@code scheduledNanos} during phase {@code phase}, once it finished. */
  void record(int phase, long scheduledNanos, long latencyNanos, Outcome outcome, Traffic.Kind kind, String cause) {
    phases.get(phase).record(latencyNanos, outcome, kind, cause);
    seconds.get(secondOf(scheduledNanos)).record(latencyNanos, outcome, kind, cause);
  }

  /** Requests scheduled in {@code second} that have not finished yet. */
  long unfinished(int second) {
    return Math.max(0, scheduled.get(second) - seconds.get(second).requests());
  }

  /** The second (from the start) that {@code nanos} falls in, clamped to the recorded range. */
  int secondOf(long nanos) {
    long second = TimeUnit.NANOSECONDS.toSeconds(nanos - startNanos);
    return (int) Math.max(0, Math.min(seconds.size() - 1, second));
  }

  Slice second(int second) {
    return seconds.get(second);
  }

  Slice phase(int phase) {
    return phases.get(phase);
  }

  /** The searches scheduled in {@code phase}: recorded there, not in the seconds' and phases' slices. */
  SearchSlice searches(int phase) {
    return searches.get(phase);
  }

  void sample(int second, Sample sample) {
    if (second >= 0 && second < samples.length()) {
      samples.set(second, sample);
    }
  }

  /** The sample of {@code second}, or null if the sampler did not reach it. */
  Sample sampleOf(int second) {
    return samples.get(second);
  }
}
