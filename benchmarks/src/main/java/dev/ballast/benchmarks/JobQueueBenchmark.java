package dev.ballast.benchmarks;

import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobOptions;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.Workers;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Jobs enqueued (in batches) and processed (8 workers, empty handler) per second, in memory and on Redis
 * ({@code REDIS_URL}, else {@code redis-server} from {@code PATH}). One invocation = 20,000 jobs through,
 * the size of the BullMQ comparison ({@code benchmarks/bullmq-compare.sh}, whose {@link QueueHarness} also
 * reports client CPU, context switches and Redis commands per job).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JobQueueBenchmark {

  private static final int JOBS = 20_000;
  private static final JobType<String> TYPE = JobType.of("bench", JobCodec.utf8());

  @Param({"memory", "redis"})
  public String backend;

  private LocalRedis redis;
  private RedisClient client;
  private JobQueue queue;
  private final AtomicInteger remaining = new AtomicInteger();
  private volatile CountDownLatch done;
  private final List<String> payloads = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    QueueConfig config = QueueConfig.builder().name("bench").pollInterval(Duration.ofMillis(1)).build();
    if (backend.equals("redis")) {
      redis = LocalRedis.start();
      client = RedisClient.create(redis.uri());
      queue = JobQueue.redis(client, config);
    } else {
      queue = JobQueue.inMemory(config);
    }
    for (int i = 0; i < JOBS; i++) {
      payloads.add("job-" + i);
    }
    queue.register(TYPE, Workers.of(8), job -> {
      if (remaining.decrementAndGet() == 0) {
        done.countDown();
      }
    });
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    queue.close();
    if (client != null) {
      client.shutdown();
      redis.close();
    }
  }

  @Benchmark
  @OperationsPerInvocation(JOBS)
  public void enqueueAndProcess() throws InterruptedException {
    done = new CountDownLatch(1);
    remaining.set(JOBS);
    queue.enqueueAll(TYPE, payloads, JobOptions.defaults());
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("jobs not processed within 60 s");
    }
  }
}
