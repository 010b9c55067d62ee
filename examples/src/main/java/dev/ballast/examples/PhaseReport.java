package dev.ballast.examples;

import java.util.Arrays;
import java.util.Locale;

/** Latencies and outcomes of one phase; one instance per client thread, merged at the end. */
final class PhaseReport {

  enum Outcome { PAID, DEGRADED, ERROR }

  private long[] latencies = new long[1024];
  private int count;
  private final long[] outcomes = new long[Outcome.values().length];

  void record(long latencyNanos, Outcome outcome) {
    appendLatency(latencyNanos);
    outcomes[outcome.ordinal()]++;
  }

  void add(PhaseReport other) {
    for (int i = 0; i < other.count; i++) {
      appendLatency(other.latencies[i]);
    }
    for (int o = 0; o < outcomes.length; o++) {
      outcomes[o] += other.outcomes[o];
    }
  }

  private void appendLatency(long latencyNanos) {
    if (count == latencies.length) {
      latencies = Arrays.copyOf(latencies, count * 2);
    }
    latencies[count++] = latencyNanos;
  }

  static String header() {
    return String.format(Locale.ROOT, "  %-30s %8s %8s %8s %8s %8s %8s %8s %10s", "phase", "calls", "paid",
        "degraded", "errors", "p50 ms", "p95 ms", "p99 ms", "provider");
  }

  String row(String phase, long providerCalls) {
    long[] sorted = Arrays.copyOf(latencies, count);
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "  %-30s %8d %8d %8d %7.1f%% %8.1f %8.1f %8.1f %10d", phase, count,
        outcomes[Outcome.PAID.ordinal()], outcomes[Outcome.DEGRADED.ordinal()],
        count == 0 ? 0.0 : 100.0 * outcomes[Outcome.ERROR.ordinal()] / count,
        percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99), providerCalls);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }
}
