#!/usr/bin/env bash
# Issue 17, the limiter at 1 and 2 threads: every contender of RateLimiterBenchmark side by side in one
# run, 3 forks, in Throughput (the mean of the forks) and SampleTime (the tail: p99, p99.9, p99.99).
#   benchmarks/run-limiter-contended.sh            -> benchmarks/results/limiter-contended.txt
# Longer runs: FORKS=5 ITERATIONS=10 benchmarks/run-limiter-contended.sh
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -pl benchmarks -am package -DskipTests
jar=benchmarks/target/benchmarks.jar
out=benchmarks/results/limiter-contended.txt
mkdir -p benchmarks/results
contenders=${CONTENDERS:-ballast,resilience4j,bucket4j,guava,failsafe}
common=(-f "${FORKS:-3}" -wi "${WARMUPS:-3}" -w 1s -i "${ITERATIONS:-5}" -r 1s -jvmArgsAppend "-Xms1g -Xmx1g"
  -p "contender=$contenders")
{
  echo "# RateLimiterBenchmark, $(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  java -jar "$jar" 'RateLimiterBenchmark\.granted' "${common[@]}" -bm thrpt -tu us 2>/dev/null \
    | sed -n '/^Benchmark/,$p'
  java -jar "$jar" 'RateLimiterBenchmark\.granted' "${common[@]}" -bm sample -tu ns 2>/dev/null \
    | sed -n '/^Benchmark/,$p' | grep -E 'Benchmark|granted.*(sample |p0.99 |p0.999 |p0.9999 )'
} | tee "$out"
echo "wrote $out"
