#!/usr/bin/env bash
# Runs the JMH benchmarks (Ballast and its peers in the same run, GC profiler on) with settings that fit
# a 2-core machine, and writes the tables:
#   benchmarks/run.sh                 every benchmark -> benchmarks/RESULTS.md
#   benchmarks/run.sh RateLimiter     only matching benchmarks -> benchmarks/results/partial.md
# Longer runs: BENCH_OPTS="-Dbench.iterations=10 -Dbench.forks=2" benchmarks/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -pl benchmarks -am package -DskipTests
jar=benchmarks/target/benchmarks.jar

if [ "$#" -eq 0 ]; then
  out=benchmarks/RESULTS.md
else
  mkdir -p benchmarks/results
  out=benchmarks/results/partial.md
fi
tmp=$(mktemp)
# shellcheck disable=SC2086
java ${BENCH_OPTS:-} -cp "$jar" dev.ballast.benchmarks.BenchmarkReport "$tmp" "$@"
{
  cat benchmarks/RESULTS-HEADER.md
  echo
  cat "$tmp"
} > "$out"
rm -f "$tmp"
echo "wrote $out"
