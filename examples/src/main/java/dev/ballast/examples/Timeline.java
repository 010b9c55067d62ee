package dev.ballast.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Everything one run records: a {@link Slice} per second and per phase (a request goes to the second and
 * the phase in which it was scheduled), and per second a {@link Sample} of the service's state, taken by
 * the sampler at the end of that second. Thread-safe.
 */
final class Timeline {

  /** The service's state at the end of one second. */
  record Sample(long databaseCalls, boolean serveCached, long jobsWaiting, long writesWaiting) {}

  private final long startNanos;
  private final List<Slice> seconds = new ArrayList<>();
  private final List<Slice> phases = new ArrayList<>();
  private final AtomicReferenceArray<Sample> samples;
  private final LiveWindow live = new LiveWindow();

  Timeline(long startNanos, List<Phase> phaseList) {
    this.startNanos = startNanos;
    Duration total = phaseList.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
    int count = (int) Math.ceil(total.toMillis() / 1000.0);
    for (int s = 0; s < count; s++) {
      seconds.add(new Slice());
    }
    for (int p = 0; p < phaseList.size(); p++) {
      phases.add(new Slice());
    }
    samples = new AtomicReferenceArray<>(count);
  }

  long startNanos() {
    return startNanos;
  }

  int secondCount() {
    return seconds.size();
  }

  /** Records one request scheduled at {@code scheduledNanos} during phase {@code phase}. */
  void record(int phase, long scheduledNanos, long latencyNanos, Outcome outcome, Traffic.Kind kind, String cause) {
    phases.get(phase).record(latencyNanos, outcome, kind, cause);
    seconds.get(secondOf(scheduledNanos)).record(latencyNanos, outcome, kind, cause);
    live.record(latencyNanos, outcome);
  }

  /** The live view of completions, for the progress line. */
  LiveWindow live() {
    return live;
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
