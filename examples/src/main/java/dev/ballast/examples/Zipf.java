package dev.ballast.examples;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws ranks 0..n-1 with probability proportional to {@code 1 / (rank + 1)^exponent}: a few products are
 * very popular, most are in a long tail, as in a real catalog. Immutable; draws are a binary search over
 * the precomputed cumulative distribution.
 */
final class Zipf {

  private final double[] cumulative;

  Zipf(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("Zipf.n must be at least 1, was " + n);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int rank = 0; rank < n; rank++) {
      sum += 1.0 / Math.pow(rank + 1, exponent);
      cumulative[rank] = sum;
    }
    for (int rank = 0; rank < n; rank++) {
      cumulative[rank] /= sum;
    }
  }

  int next(RandomGenerator random) {
    int index = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(cumulative.length - 1, index >= 0 ? index : -index - 1);
  }
}
