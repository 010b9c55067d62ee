package dev.ballast.benchmarks;

/**
 * The one adapter every contender is put behind: a benchmark's {@code @Param} picks which
 * implementation a fork builds, so each fork's call site sees a single class (monomorphic, as in the
 * contender's own users' code).
 */
@FunctionalInterface
public interface Operation {

  /** Runs one operation of the workload and returns something for JMH to consume. */
  Object run() throws Exception;
}
