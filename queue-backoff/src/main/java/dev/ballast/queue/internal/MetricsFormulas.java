package dev.ballast.queue.internal;

/** The formulas behind the queue's derived gauges, public for tests and documentation. */
public final class MetricsFormulas {

  private MetricsFormulas() {}

  /**
   * Workers needed to keep up with arrivals and drain the backlog within the target age (Little's law,
   * L = λ·W): {@code λ·S + B·S/T}.
   *
   * @param arrivalsPerSecond λ, jobs enqueued per second
   * @param serviceSeconds S, mean handler time
   * @param backlog B, ready jobs
   * @param targetSeconds T, the target age of the oldest job
   */
  public static double workersNeeded(double arrivalsPerSecond, double serviceSeconds, long backlog,
      double targetSeconds) {
    return arrivalsPerSecond * serviceSeconds + backlog * serviceSeconds / targetSeconds;
  }
}
