package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
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
  void anInterruptForAHungHandlerDoesNotReachTheApplicationsNextTaskOnThatThread() throws Exception {
    // One thread that, unlike a ThreadPoolExecutor, does not clear the interrupt flag between tasks (as a
    // ThreadPoolExecutor does not either when the interrupt comes just after it cleared the flag).
    LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    AtomicBoolean open = new AtomicBoolean(true);
    Thread appThread = new Thread(() -> {
      while (open.get()) {
        Runnable task = tasks.poll();
        if (task == null) {
          LockSupport.parkNanos(100_000);
        } else {
          task.run();
        }
      }
    }, "app-worker");
    appThread.start();
    ManualTicker clock = new ManualTicker(TimeUnit.SECONDS.toNanos(1000));
    try (JobQueue queue = JobQueue.inMemory(QueueConfig.builder().name("threads" + names.incrementAndGet())
        .ticker(clock::read).visibilityTimeout(Duration.ofSeconds(1)).hungHandlerGrace(Duration.ofSeconds(1))
        .maxAttempts(1).pollInterval(Duration.ofMillis(20)).build())) { // one attempt: no rerun on that thread
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch sawInterrupt = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      queue.register(TEXT, Workers.of(1).executor(tasks::add), job -> {
        running.countDown();
        // A handler that does not stop when interrupted: it sees the flag and carries on, leaving it set.
        while (release.getCount() > 0) {
          if (Thread.currentThread().isInterrupted()) {
            sawInterrupt.countDown();
          }
          Thread.onSpinWait();
        }
      });
      queue.enqueue(TEXT, "hangs");
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      clock.advance(Duration.ofSeconds(5)); // past its visibility deadline and the grace: written off
      assertThat(sawInterrupt.await(10, TimeUnit.SECONDS)).as("the queue interrupted the hung handler").isTrue();
      release.countDown();
      CompletableFuture<Boolean> nextTask = new CompletableFuture<>();
      tasks.add(() -> nextTask.complete(Thread.currentThread().isInterrupted()));
      assertThat(nextTask.get(10, TimeUnit.SECONDS)).as("the application's next task on that thread sees an interrupt")
          .isFalse();
    } finally {
      open.set(false);
      appThread.join(10_000);
    }
  }

  /**
   * Jobs claimed together go to one runner, which runs them one after another on its thread, having started
   * one spare runner (for a job that might block) before the first: not a thread woken per job. The
   * application's executor here only collects the runners, which the test then runs itself.
   */
  @Test
  void jobsClaimedTogetherRunOnOneAwakeRunnerWhichStartsOneSpare() throws Exception {
    LinkedBlockingQueue<Runnable> runners = new LinkedBlockingQueue<>();
    try (JobQueue queue = JobQueue.inMemory(QueueConfig.builder().name("threads" + names.incrementAndGet()).build())) {
      queue.declare(TEXT);
      for (int i = 0; i < 8; i++) {
        queue.enqueue(TEXT, "job" + i);
      }
      List<String> ranOn = new CopyOnWriteArrayList<>();
      queue.register(TEXT, Workers.of(8).executor(runners::add), job -> ranOn.add(Thread.currentThread().getName()));
      Runnable first = runners.poll(10, TimeUnit.SECONDS);
      assertThat(first).as("the runner of the eight jobs claimed at once").isNotNull();
      assertThat(runners).as("one runner, not one per job").isEmpty();

      first.run();
      assertThat(ranOn).hasSize(8).containsOnly(Thread.currentThread().getName());
      assertThat(runners).as("the spare, started while jobs waited").hasSize(1);
      runners.poll().run(); // nothing left for it: it returns
      assertThat(ranOn).hasSize(8);
      await().atMost(Duration.ofSeconds(10)).until(() -> queue.stats().pending() == 0);
      assertThat(runners).as("no runner started after the jobs ran").isEmpty();
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
