#!/usr/bin/env bash
# Regenerates the whole of benchmarks/RESULTS.md from one run (issue 17): RESULTS-HEADER.md, then the
# budgets checked against this run, a table per benchmark and the SampleTime tails of the contended paths,
# all written by BenchmarkReport's full plan (see FullRun): >= 3 forks for the L1 hit, every 2-thread
# benchmark, the 1-thread bulkhead and the distributed limiter, SampleTime (3 forks) for the 2-thread ones,
# 10 warm-up iterations for composition, the rest with BENCH_OPTS' forks (1). The queue beside BullMQ is a
# separate script (bullmq-compare.sh) whose output goes to benchmarks/results/queue-bullmq.md.
#   benchmarks/run-all.sh                         everything -> benchmarks/RESULTS.md (about 35 minutes on 2 cores)
#   benchmarks/run-all.sh 'CacheL1Hit|Retry'      only matching benchmarks -> benchmarks/results/partial.md
#   BENCH_OPTS=-Dbench.quick=true benchmarks/run-all.sh RetryBenchmark   1 fork, 1 iteration: checks the script
# BUILD=0 uses benchmarks/target/benchmarks.jar as it is (no mvn package). Never run two at once on a shared
# machine: jmh.ignoreLock is off, so a second run waits for or refuses the first's lock.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=benchmarks/target/benchmarks.jar
if [ "${BUILD:-1}" != 0 ] || [ ! -f "$jar" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
if [ "$#" -eq 0 ]; then
  out=benchmarks/RESULTS.md
else
  mkdir -p benchmarks/results
  out=benchmarks/results/partial.md
fi
tmp=$(mktemp)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average at start: $load_at_start"
# shellcheck disable=SC2086
java -Dbench.plan=full ${BENCH_OPTS:-} -cp "$jar" dev.ballast.benchmarks.BenchmarkReport "$tmp" "$@"
{
  cat benchmarks/RESULTS-HEADER.md
  echo
  echo "Load average (1, 5, 15 min) when the run started: $load_at_start."
  echo
  cat "$tmp"
} > "$out"
rm -f "$tmp"
echo "wrote $out"
