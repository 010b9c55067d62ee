#!/usr/bin/env bash
# Issue 17, the limiter at 1 and 2 threads: every contender of RateLimiterBenchmark side by side, 3 forks
# each, in Throughput (the mean of the forks) and SampleTime (the tail: p99, p99.9, p99.99).
# The forks are interleaved by round (round 1: one fork of each contender, then round 2, ...), so that on a
# shared machine every contender sees the same spread of load rather than one contender a quiet minute.
#   benchmarks/run-limiter-contended.sh            -> benchmarks/results/limiter-contended.txt
# Options: FORKS=5 (rounds), ITERATIONS=5, CONTENDERS=ballast,guava, BUILD=0 (use the jar as it is),
# METHODS=granted2Threads (only those), JAR=path (another jar, e.g. a copy, so that a rebuild during the run does not change it), OUT=path. jmh.ignoreLock: other JMH runs on a shared
# machine would otherwise make this one exit at once.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=${JAR:-benchmarks/target/benchmarks.jar}
if [ "${BUILD:-1}" != 0 ] || [ ! -f "$jar" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
out=${OUT:-benchmarks/results/limiter-contended.txt}
mkdir -p benchmarks/results
IFS=, read -r -a contenders <<< "${CONTENDERS:-ballast,resilience4j,bucket4j,guava,failsafe}"
common=(-f 1 -wi "${WARMUPS:-2}" -w 1s -i "${ITERATIONS:-3}" -r 1s -jvmArgsAppend "-Xms1g -Xmx1g")
{
  echo "# RateLimiterBenchmark, $(date -u +%F), $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg); columns: benchmark contender round score unit load"
  for method in ${METHODS:-granted granted2Threads}; do
    for round in $(seq 1 "${FORKS:-3}"); do
      for c in "${contenders[@]}"; do
        score=$(java -Djmh.ignoreLock=true -jar "$jar" "RateLimiterBenchmark\.$method\$" "${common[@]}" -p "contender=$c" -bm thrpt -tu us \
          2>/dev/null | awk -v m="$method" '$1 ~ "\\."m"$" {print $5}')
        echo "thrpt $method $c $round $score ops/us $(cut -d' ' -f1 /proc/loadavg)"
      done
    done
    for round in $(seq 1 "${FORKS:-3}"); do
      for c in "${contenders[@]}"; do
        java -Djmh.ignoreLock=true -jar "$jar" "RateLimiterBenchmark\.$method\$" "${common[@]}" -p "contender=$c" -bm sample -tu ns \
          2>/dev/null | awk -v c="$c" -v r="$round" '$1 ~ /:p0\.(99|999|9999)$/ {print "sample", $1, c, r, $4, "ns"}'
      done
    done
  done
} | tee "$out"
echo "wrote $out"
