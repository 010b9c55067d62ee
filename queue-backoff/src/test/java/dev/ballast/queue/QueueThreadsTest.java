package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Which threads a queue starts and when (docs/threads.md): none before a handler is registered, then a
 * dispatcher and workers named {@code ballast-queue-NAME-TYPE-...}; with {@link Workers#executor} the
 * handlers run on the application's executor, which shutdown leaves running.
 */
class QueueThreadsTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());
  static final AtomicInteger names = new AtomicInteger();

  @Test
  void openingAQueueStartsNoThreadAndRegisteringStartsNamedBallastThreads() throws Exception {
    String name = "threads" + names.incrementAndGet();
    try (JobQueue queue = JobQueue.inMemory(QueueConfig.builder().name(name).build())) {
      queue.declare(TEXT);
      queue.enqueue(TEXT, "before");
      assertThat(threadsNamed("ballast-queue-" + name + "-")).isZero();
      AtomicReference<String> ranOn = new AtomicReference<>();
      CountDownLatch ran = new CountDownLatch(1);
      queue.register(TEXT, Workers.of(2), job -> {
        ranOn.set(Thread.currentThread().getName());
        ran.countDown();
      });
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ranOn.get()).startsWith("ballast-queue-" + name + "-text-");
      assertThat(threadsNamed("ballast-queue-" + name + "-text-dispatcher")).isEqualTo(1);
    }
  }

  @Test
  void handlersRunOnTheApplicationsExecutorWhichShutdownLeavesRunning() throws Exception {
    ExecutorService app = Executors.newFixedThreadPool(2, r -> new Thread(r, "app-worker"));
    try {
      String name = "threads" + names.incrementAndGet();
      JobQueue queue = JobQueue.inMemory(QueueConfig.builder().name(name).build());
      AtomicReference<String> ranOn = new AtomicReference<>();
      CountDownLatch ran = new CountDownLatch(1);
      queue.register(TEXT, Workers.of(2).executor(app), job -> {
        ranOn.set(Thread.currentThread().getName());
        ran.countDown();
      });
      queue.enqueue(TEXT, "x");
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ranOn.get()).isEqualTo("app-worker");
      assertThat(threadsNamed("ballast-queue-" + name + "-text-")).as("only the dispatcher").isEqualTo(1);
      assertThat(queue.shutdown(Duration.ofSeconds(5))).isTrue();
      queue.close();
      assertThat(app.isShutdown()).isFalse();
      assertThat(app.submit(() -> "still runs").get(10, TimeUnit.SECONDS)).isEqualTo("still runs");
    } finally {
      app.shutdownNow();
    }
  }

  @Test
  void aHandlerStillRunningWhenShutdownGivesUpIsInterruptedOnTheApplicationsThread() throws Exception {
    ExecutorService app = Executors.newFixedThreadPool(1, r -> new Thread(r, "app-worker"));
    try {
      JobQueue queue = JobQueue.inMemory(QueueConfig.builder().name("threads" + names.incrementAndGet()).build());
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch interrupted = new CountDownLatch(1);
      queue.register(TEXT, Workers.of(1).executor(app), job -> {
        started.countDown();
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          interrupted.countDown();
          throw e;
        }
      });
      queue.enqueue(TEXT, "stuck");
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(queue.shutdown(Duration.ofMillis(200))).isFalse();
      assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the handler was interrupted").isTrue();
      assertThat(app.isShutdown()).isFalse();
      queue.close();
    } finally {
      app.shutdownNow();
    }
  }

  @Test
  void workersRefuseANullExecutor() {
    assertThatThrownBy(() -> Workers.of(1).executor(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Workers.executor");
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }
}
