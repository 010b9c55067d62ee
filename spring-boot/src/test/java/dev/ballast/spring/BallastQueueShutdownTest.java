package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Registry;
import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.JobType;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.Workers;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shutdown phase drains every queue at once: the total wait is one shutdown timeout, not one per queue. */
class BallastQueueShutdownTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final Duration TIMEOUT = Duration.ofMillis(1500);

  @Test
  void queuesDrainInParallelWithinOneTimeout() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(3);
    Registry.Builder builder = Registry.builder();
    for (String name : new String[] {"drain-a", "drain-b", "drain-c"}) {
      JobQueue queue = JobQueue.inMemory(QueueConfig.builder().name(name).shutdownTimeout(TIMEOUT).build());
      // A handler that ignores the drain: it waits for a latch nobody counts down, until interrupted.
      queue.register(TEXT, Workers.of(1), job -> {
        started.countDown();
        never.await();
      });
      queue.enqueue(TEXT, "stuck");
      builder.add(name, queue);
    }
    Registry registry = builder.build();
    try {
      assertThat(started.await(10, TimeUnit.SECONDS)).as("every queue runs its handler").isTrue();
      BallastQueueShutdown shutdown = new BallastQueueShutdown(registry);
      shutdown.start();

      long t0 = System.nanoTime();
      shutdown.stop();
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      // One after another this takes 3 x 1.5 s; in parallel one timeout (plus the threads' brief end).
      assertThat(tookMillis).as("stop() took").isGreaterThanOrEqualTo(TIMEOUT.toMillis())
          .isLessThan(2 * TIMEOUT.toMillis());
      assertThat(shutdown.isRunning()).isFalse();
      assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
          .map(Thread::getName).filter(n -> n.startsWith("ballast-queue-drain-") || n.startsWith("ballast-spring-drain-")))
          .as("no thread of the drained queues, nor of the drain itself").isEmpty();
    } finally {
      registry.close();
    }
  }
}
