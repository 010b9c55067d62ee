package dev.ballast.queue.internal;

/**
 * Smooth weighted round robin (as in nginx) over priority levels, skipping empty ones: each turn every
 * non-empty level gains its weight, the richest level is picked and pays the sum of the weights that
 * took part. Over any run of turns in which the same levels stay non-empty, each gets a share of turns
 * proportional to its weight, evenly spread, so a low priority is never starved. The Redis claim script
 * runs the same steps in Lua.
 *
 * <p>Not thread-safe: the caller holds the lock of the lanes it picks from.
 */
final class WeightedRoundRobin {

  private final int[] weights;
  private final long[] current;

  WeightedRoundRobin(int[] weights) {
    this.weights = weights.clone();
    this.current = new long[weights.length];
  }

  /** The level to take from next, or -1 when none is non-empty. {@code nonEmpty[p]} says which are. */
  int pick(boolean[] nonEmpty) {
    int best = -1;
    long total = 0;
    for (int p = weights.length - 1; p >= 0; p--) { // ties go to the higher priority
      if (!nonEmpty[p]) {
        continue;
      }
      current[p] += weights[p];
      total += weights[p];
      if (best < 0 || current[p] > current[best]) {
        best = p;
      }
    }
    if (best >= 0) {
      current[best] -= total;
    }
    return best;
  }
}
