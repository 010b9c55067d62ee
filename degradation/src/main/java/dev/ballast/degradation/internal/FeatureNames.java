package dev.ballast.degradation.internal;

import java.util.Set;
import java.util.TreeSet;

/**
 * The error for an undeclared feature name, suggesting the closest declared one (edit distance); public
 * for the configuration section, which reports the same error at the line that names the feature.
 */
public final class FeatureNames {

  private FeatureNames() {}

  /** The error for {@code name}, which is not among {@code declared}, in switchboard {@code board}. */
  public static IllegalArgumentException unknown(String board, String name, Set<String> declared) {
    String closest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : new TreeSet<>(declared)) {
      int d = distance(name.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
      if (d < best) {
        best = d;
        closest = candidate;
      }
    }
    String hint = closest != null && best <= Math.max(2, name.length() / 3) ? " Did you mean '" + closest + "'?" : "";
    return new IllegalArgumentException("unknown feature '" + name + "' in switchboard '" + board + "'." + hint
        + " Declared features: " + new TreeSet<>(declared));
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
