package dev.ballast.benchmarks;

/** The protected call in the policy benchmarks: cheap, so the policy's own cost is what shows. */
final class Work {
  private static final Object RESULT = new Object();
  private long calls;

  /** Does a little observable work and returns a shared object, so the work itself allocates nothing. */
  Object call() {
    calls++;
    return RESULT;
  }
}
