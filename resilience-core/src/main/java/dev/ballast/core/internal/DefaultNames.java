package dev.ballast.core.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names for policies built without one: {@code retry-1}, {@code retry-2}, {@code timeout-1}, … Unique per
 * kind in this JVM, so the meters and logs of two unnamed policies never merge under one tag, and still
 * readable. The number depends on build order, so a dashboard should name its policies.
 */
public final class DefaultNames {

  private static final ConcurrentHashMap<String, AtomicLong> COUNTERS = new ConcurrentHashMap<>();

  private DefaultNames() {}

  /** The next unused default name for a policy of {@code kind} ({@code "retry"}, {@code "timeout"}). */
  public static String next(String kind) {
    return kind + "-" + COUNTERS.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }
}
