#!/usr/bin/env bash
# Ballast's Redis job queue beside BullMQ (the reference Redis job queue) on the same redis-server, with
# the same number of jobs and the same concurrency: each side enqueues N jobs in batches of 500 and runs
# them with C concurrent workers and an empty handler (after an untimed warm-up of WARMUP jobs, by default
# 5 N, run the same way: the JVM's JIT and V8's compile the hot path during it; after N jobs of warm-up the
# JVM's JIT still took 0.6-1.2 s of compile time inside the one-second measured run), then reports
#   jobs_per_s             jobs enqueued and processed per second (wall clock of the measured run)
#   client_cpu_us_per_job  the client process's CPU time (user + system, all threads) per job
#   ctx_switches_per_job   the client's context switches (voluntary + involuntary, live threads) per job
#   redis_cmds_per_job     INFO commandstats calls per job (commands inside scripts included)
#   redis_cpu_us_per_job   redis-server CPU (INFO cpu) per job
#   jit_ms                 (Ballast) the JIT's compile time during the measured run
# and, for Ballast, the time from an enqueue on one instance to the handler's start on another.
# The two sides take turns, ROUNDS times (3 by default), each round in fresh processes: one run of N =
# 20,000 jobs lasts about a second, and one such run on a shared VM moved by a fifth from one to the next.
# The last lines give each side's median round and the ratio of the medians.
#
#   [WARMUP=5N] [ROUNDS=3] benchmarks/bullmq-compare.sh [N=20000] [C=8]
#
# Needs java and redis-server (or REDIS_URL); BullMQ needs node and npm, and is installed from the npm
# registry into a temporary directory: without node, or when the registry cannot be reached, the script
# says so and runs Ballast's side only. Both sides run one after the other, never at once.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-20000}
C=${2:-8}
WARMUP=${WARMUP:-$((5 * N))}
ROUNDS=${ROUNDS:-3}
BULLMQ_VERSION=${BULLMQ_VERSION:-5}
jar=benchmarks/target/benchmarks.jar

if [ "${BUILD:-1}" != 0 ] || [ ! -f "$jar" ]; then
  echo "building $jar (mvn package, no install; BUILD=0 uses the jar as it is)"
  mvn -B -q -pl benchmarks -am package -DskipTests
fi

work=$(mktemp -d)
redis_pid=
cleanup() {
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${REDIS_URL:-}" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no > "$work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do
    if redis-cli -p "$port" ping > /dev/null 2>&1; then break; fi
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$port"
fi
echo "redis: $REDIS_URL ($(redis-cli -u "$REDIS_URL" info server | grep redis_version | tr -d '\r'))"
echo "jobs: $N, concurrency: $C, warm-up: $WARMUP jobs"

bullmq=1
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  echo "SKIPPED BullMQ: node and npm are needed for it (Node 20 or later); Ballast's figures stand alone"
  bullmq=0
elif ! (cd "$work" && npm init -y > /dev/null && timeout 300 npm install --no-audit --no-fund --silent \
    "bullmq@$BULLMQ_VERSION" > "$work/npm.log" 2>&1); then
  echo "SKIPPED BullMQ: could not install bullmq@$BULLMQ_VERSION from the npm registry ($(npm config get registry));"
  echo "         last lines of npm's log:"
  tail -n 3 "$work/npm.log" | sed 's/^/         /'
  bullmq=0
else
  echo "bullmq $(node -p "require('$work/node_modules/bullmq/package.json').version")"
fi
cat > "$work/bench.js" <<'EOF'
// BullMQ's side: the same measurement as Ballast's QueueHarness throughput mode.
const { Queue, Worker } = require('bullmq');
const fs = require('fs');
const url = new URL(process.env.REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
const N = Number(process.argv[2]);
const C = Number(process.argv[3]);
const WARMUP = Number(process.argv[4]);
const name = 'compare-' + process.pid;
const IORedis = require('ioredis');
const admin = new IORedis(connection);

async function commandCalls() {
  const info = await admin.info('commandstats');
  let calls = 0;
  for (const m of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(m[1]);
  return calls;
}
async function redisCpu() {
  const info = await admin.info('cpu');
  const get = (k) => Number(new RegExp('^' + k + ':([\\d.]+)', 'm').exec(info)[1]);
  return get('used_cpu_sys') + get('used_cpu_user');
}
function contextSwitches() {
  let total = 0;
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      const s = fs.readFileSync('/proc/self/task/' + t + '/status', 'utf8');
      for (const m of s.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)/gm)) total += Number(m[1]);
    } catch (e) { /* a thread that ended */ }
  }
  return total;
}

(async () => {
  const queue = new Queue(name, { connection });
  let remaining = 0;
  let done = null;
  const worker = new Worker(name, async () => {}, { connection, concurrency: C });
  worker.on('completed', () => { if (--remaining === 0) done(); });
  async function run(n) {
    remaining = n;
    const finished = new Promise((resolve) => { done = resolve; });
    for (let i = 0; i < n; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 500); j++) {
        batch.push({ name: 'bench', data: 'job-' + j, opts: { removeOnComplete: true, removeOnFail: true } });
      }
      await queue.addBulk(batch);
    }
    await finished;
  }
  await worker.waitUntilReady();
  if (WARMUP > 0) await run(WARMUP); // untimed
  const calls0 = await commandCalls();
  const rcpu0 = await redisCpu();
  const cpu0 = process.cpuUsage();
  const cs0 = contextSwitches();
  const t0 = process.hrtime.bigint();
  await run(N);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cs = contextSwitches() - cs0;
  const rcpu = (await redisCpu()) - rcpu0;
  const calls = (await commandCalls()) - calls0 - 3; // the INFO calls of this measurement
  console.log(`mode=throughput client=bullmq jobs=${N} workers=${C} warmup=${WARMUP} jobs_per_s=${(N / wall).toFixed(0)}`
    + ` client_cpu_us_per_job=${((cpu.user + cpu.system) / N).toFixed(1)} ctx_switches_per_job=${(cs / N).toFixed(2)}`
    + ` redis_cmds_per_job=${(calls / N).toFixed(1)} redis_cpu_us_per_job=${(rcpu * 1e6 / N).toFixed(1)}`);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  admin.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
EOF

for round in $(seq "$ROUNDS"); do
  echo "--- round $round of $ROUNDS"
  java -cp "$jar" dev.ballast.benchmarks.QueueHarness throughput "$N" "$C" "$WARMUP" 2>/dev/null | grep '^mode=' \
    | tee -a "$work/rounds.txt"
  if [ "$bullmq" = 1 ]; then
    (cd "$work" && node bench.js "$N" "$C" "$WARMUP") | tee -a "$work/rounds.txt"
  fi
done
echo "--- ballast, cross-instance start"
java -cp "$jar" dev.ballast.benchmarks.QueueHarness latency 3000 1000 2>/dev/null | grep '^mode='

echo "--- medians of $ROUNDS rounds"
python3 - "$work/rounds.txt" <<'PY'
import re, statistics, sys
rates = {}
for line in open(sys.argv[1]):
    m = re.search(r'client=(\S+) .*jobs_per_s=(\d+)', line)
    if m:
        rates.setdefault(m.group(1), []).append(int(m.group(2)))
for client, values in rates.items():
    print(f"{client}: median {statistics.median(values):.0f} jobs/s (rounds: {', '.join(map(str, values))})")
if 'ballast' in rates and 'bullmq' in rates:
    ratio = statistics.median(rates['ballast']) / statistics.median(rates['bullmq'])
    each = [b / q for b, q in zip(rates['ballast'], rates['bullmq'])]
    print(f"ballast / bullmq: {ratio:.2f} on the medians (round by round: {', '.join(f'{r:.2f}' for r in each)})")
PY
