package dev.ballast.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobType;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.Workers;
import dev.ballast.testsupport.ManualTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker whose handler returns just as the dispatcher writes it off as hung must not go on to run
 * another job: the write-off gave its slot to a new worker, so running one more would exceed the pool's
 * concurrency.
 */
class HungWriteOffRaceTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());

  @Test
  void aWorkerWrittenOffWhileFinishingRunsNoFurtherJob() throws Exception {
    ManualTicker clock = new ManualTicker(TimeUnit.SECONDS.toNanos(1000));
    QueueConfig config = QueueConfig.builder().name("race").ticker(clock::read).pollInterval(Duration.ofMillis(5))
        .visibilityTimeout(Duration.ofSeconds(1)).hungHandlerGrace(Duration.ofSeconds(1))
        .meterRegistry(new SimpleMeterRegistry()).build();
    InMemoryStore memory = new InMemoryStore(config);
    CountDownLatch firstReturned = new CountDownLatch(1);
    // Every store call a worker thread makes after the first handler returned waits (up to 5 s) until the
    // dispatcher has interrupted that thread, which is what writing it off does: the write-off happens
    // exactly between the handler's return and the worker's next store call.
    QueueStore store = (QueueStore) Proxy.newProxyInstance(QueueStore.class.getClassLoader(),
        new Class<?>[] {QueueStore.class}, (proxy, method, args) -> {
          Thread t = Thread.currentThread();
          if (method.getName().startsWith("ack") && !t.getName().endsWith("dispatcher") && firstReturned.getCount() == 0) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!t.isInterrupted() && System.nanoTime() < until) {
              Thread.onSpinWait();
            }
          }
          try {
            return method.invoke(memory, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    try (DefaultJobQueue queue = new DefaultJobQueue(config, store)) {
      queue.declare(TEXT);
      queue.enqueue(TEXT, "first");
      queue.register(TEXT, Workers.of(1), job -> {
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          if (job.payload().equals("first")) {
            enqueueTwoMore(queue);
            clock.advance(Duration.ofSeconds(5)); // past the visibility deadline plus the grace
            firstReturned.countDown();
          } else {
            // Long enough for a second handler to start beside this one if the pool allowed it.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (running.get() < 2 && System.nanoTime() < until) {
              Thread.onSpinWait();
            }
          }
        } finally {
          running.decrementAndGet();
          finished.incrementAndGet();
        }
      });
      await().atMost(Duration.ofSeconds(20)).until(() -> finished.get() >= 3);
    }
    assertThat(mostAtOnce.get()).as("handlers running at once with Workers.of(1)").isEqualTo(1);
  }

  private static void enqueueTwoMore(DefaultJobQueue queue) {
    queue.enqueue(TEXT, "second");
    queue.enqueue(TEXT, "third");
  }
}
