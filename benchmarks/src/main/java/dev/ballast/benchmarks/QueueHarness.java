package dev.ballast.benchmarks;

import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.Workers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The job queue measured as a user runs it, for figures JMH does not give: client CPU and context
 * switches per job, Redis commands and Redis CPU per job ({@code INFO} deltas), and the time from an
 * enqueue on one instance to the handler's start on another. Redis: {@code REDIS_URL}, else a
 * {@code redis-server} from {@code PATH}. Prints one line of {@code key=value} pairs per run.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.ballast.benchmarks.QueueHarness throughput 20000 8 [20000]
 * java -cp benchmarks/target/benchmarks.jar dev.ballast.benchmarks.QueueHarness latency 3000 1000
 * </pre>
 */
public final class QueueHarness {

  private static final JobType<String> TYPE = JobType.of("bench", JobCodec.utf8());

  private QueueHarness() {}

  /**
   * Runs one measurement.
   *
   * @param args {@code throughput JOBS WORKERS [WARMUP_JOBS]} (the warm-up, untimed, defaults to JOBS: a JVM
   *     runs its steady state only after the JIT compiled the hot path) or {@code latency JOBS RATE_PER_SECOND}
   * @throws Exception if Redis cannot be started or the jobs do not finish within a minute
   */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "throughput";
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int third = args.length > 2 ? Integer.parseInt(args[2]) : (mode.equals("latency") ? 1000 : 8);
    try (LocalRedis redis = LocalRedis.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try {
        if (mode.equals("latency")) {
          latency(client, redis.uri(), jobs, third);
        } else {
          throughput(client, jobs, third, args.length > 3 ? Integer.parseInt(args[3]) : jobs);
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static void throughput(RedisClient client, int jobs, int workers, int warmup) throws Exception {
    String name = "harness-" + ProcessHandle.current().pid();
    try (JobQueue queue = JobQueue.redis(client, QueueConfig.builder().name(name).build());
        StatefulRedisConnection<String, String> admin = client.connect()) {
      AtomicInteger remaining = new AtomicInteger();
      CountDownLatch[] done = new CountDownLatch[1];
      queue.register(TYPE, Workers.of(workers), job -> {
        if (remaining.decrementAndGet() == 0) {
          done[0].countDown();
        }
      });
      List<String> payloads = new ArrayList<>();
      for (int i = 0; i < Math.max(jobs, warmup); i++) {
        payloads.add("job-" + i);
      }
      if (warmup > 0) {
        run(queue, payloads.subList(0, warmup), remaining, done);
      }
      long calls0 = commandCalls(admin);
      double redisCpu0 = redisCpuSeconds(admin);
      long cpu0 = processCpuNanos();
      long switches0 = contextSwitches();
      long jit0 = jitMillis();
      long t0 = System.nanoTime();
      run(queue, payloads.subList(0, jobs), remaining, done);
      long wall = System.nanoTime() - t0;
      long jit = jitMillis() - jit0;
      long cpu = processCpuNanos() - cpu0;
      long switches = contextSwitches() - switches0;
      double redisCpu = redisCpuSeconds(admin) - redisCpu0;
      long calls = commandCalls(admin) - calls0 - 3; // the INFO calls of this measurement
      System.out.printf("mode=throughput client=ballast jobs=%d workers=%d warmup=%d jobs_per_s=%.0f client_cpu_us_per_job=%.1f"
          + " ctx_switches_per_job=%.2f redis_cmds_per_job=%.1f redis_cpu_us_per_job=%.1f jit_ms=%d%n", jobs, workers,
          warmup, jobs / (wall / 1e9), cpu / 1e3 / jobs, (double) switches / jobs, (double) calls / jobs,
          redisCpu * 1e6 / jobs, jit);
    }
  }

  /**
   * The JIT's compile time so far (its threads' time, summed): how much of the measured run's client CPU
   * went to compiling rather than to the queue, the first suspect when one run differs from the next.
   */
  private static long jitMillis() {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  private static void run(JobQueue queue, List<String> payloads, AtomicInteger remaining, CountDownLatch[] done)
      throws InterruptedException {
    done[0] = new CountDownLatch(1);
    remaining.set(payloads.size());
    queue.enqueueAll(TYPE, payloads, dev.ballast.queue.JobOptions.defaults());
    if (!done[0].await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("jobs not processed within 120 s; " + remaining.get() + " left");
    }
  }

  /**
   * Instance A enqueues one job at a time at {@code rate} per second; instance B (its own client) runs
   * them. Reports the enqueue-to-handler-start time (both in this JVM, so one {@code nanoTime} clock).
   */
  private static void latency(RedisClient clientA, String uri, int jobs, int rate) throws Exception {
    String name = "latency-" + ProcessHandle.current().pid();
    RedisClient clientB = RedisClient.create(uri);
    long[] latencies = new long[jobs];
    AtomicInteger seen = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    try (JobQueue a = JobQueue.redis(clientA, QueueConfig.builder().name(name).build());
        JobQueue b = JobQueue.redis(clientB, QueueConfig.builder().name(name).build())) {
      a.declare(TYPE);
      b.register(TYPE, Workers.of(8), job -> {
        long sentAt = Long.parseLong(job.payload());
        int i = seen.getAndIncrement();
        if (i < jobs) {
          latencies[i] = System.nanoTime() - sentAt;
        }
        if (i == jobs - 1) {
          done.countDown();
        }
      });
      // B's dispatcher idle and its subscription to the queue's notices in place (up to 10 s).
      String channel = "{ballast:queue:" + name + "}:ready";
      try (StatefulRedisConnection<String, String> admin = clientA.connect()) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (admin.sync().pubsubNumsub(channel).getOrDefault(channel, 0L) < 1 && System.nanoTime() < until) {
          Thread.sleep(10);
        }
      }
      Thread.sleep(200);
      long period = TimeUnit.SECONDS.toNanos(1) / rate;
      long next = System.nanoTime();
      for (int i = 0; i < jobs; i++) {
        while (System.nanoTime() < next) {
          Thread.onSpinWait();
        }
        a.enqueue(TYPE, Long.toString(System.nanoTime()));
        next += period;
      }
      if (!done.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("jobs not run within 60 s; " + seen.get() + " seen");
      }
    } finally {
      clientB.shutdown();
    }
    Arrays.sort(latencies);
    System.out.printf("mode=latency jobs=%d rate_per_s=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f%n", jobs, rate,
        latencies[jobs / 2] / 1e6, latencies[(int) (jobs * 0.9)] / 1e6, latencies[(int) (jobs * 0.99)] / 1e6,
        latencies[jobs - 1] / 1e6);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Voluntary and involuntary context switches of every live thread of this process (Linux; 0 elsewhere). */
  private static long contextSwitches() throws IOException {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return 0;
    }
    long total = 0;
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) threads::iterator) {
        try {
          for (String line : Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches") || line.startsWith("nonvoluntary_ctxt_switches")) {
              total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException threadEnded) {
          // a thread that ended meanwhile
        }
      }
    }
    return total;
  }

  private static long commandCalls(StatefulRedisConnection<String, String> admin) {
    long calls = 0;
    for (String line : admin.sync().info("commandstats").split("\r?\n")) {
      int at = line.indexOf("calls=");
      if (line.startsWith("cmdstat_") && at >= 0) {
        int end = line.indexOf(',', at);
        calls += Long.parseLong(line.substring(at + 6, end));
      }
    }
    return calls;
  }

  private static double redisCpuSeconds(StatefulRedisConnection<String, String> admin) {
    double cpu = 0;
    for (String line : admin.sync().info("cpu").split("\r?\n")) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
        cpu += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return cpu;
  }
}
