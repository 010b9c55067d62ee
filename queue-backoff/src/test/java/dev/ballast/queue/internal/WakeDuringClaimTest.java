package dev.ballast.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.queue.JobCodec;
import dev.ballast.queue.JobType;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.Workers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A wake-up (a local enqueue, or a notice of one elsewhere) that comes while the dispatcher waits for the
 * reply to a claim that found nothing must not be lost: a blocking Redis client parks for its reply, and
 * that park takes the wake-up's unpark, after which the dispatcher slept until its next poll with a job
 * ready. Seen as {@code ClusterJobQueueTest.aJobEnqueuedThroughAnotherClientWakesAnIdleWorkerOnTheCluster}
 * failing on a loaded machine (its warm-up job enqueued during the dispatcher's first claim, a one-minute
 * poll).
 */
class WakeDuringClaimTest {

  static final JobType<String> TEXT = JobType.of("text", JobCodec.utf8());

  @Test
  void aJobEnqueuedWhileAnEmptyClaimAwaitsItsReplyRunsWithoutWaitingForThePoll() throws Exception {
    QueueConfig config = QueueConfig.builder().name("wake").pollInterval(Duration.ofMinutes(1))
        .meterRegistry(new SimpleMeterRegistry()).build();
    InMemoryStore memory = new InMemoryStore(config);
    AtomicBoolean firstClaim = new AtomicBoolean(true);
    CountDownLatch claimAwaitingReply = new CountDownLatch(1);
    CountDownLatch enqueued = new CountDownLatch(1);
    // The dispatcher's first claim runs on the store before the job exists (nothing to claim), then waits
    // for its "reply" parking, as a blocking client does, until the test's enqueue (and its wake-up) is done.
    QueueStore store = (QueueStore) Proxy.newProxyInstance(QueueStore.class.getClassLoader(),
        new Class<?>[] {QueueStore.class}, (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(memory, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("ackAndClaim") && Thread.currentThread().getName().endsWith("dispatcher")
              && firstClaim.getAndSet(false)) {
            claimAwaitingReply.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (enqueued.getCount() > 0 && System.nanoTime() < until) {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // takes an unpark still pending, if any
          }
          return result;
        });
    CountDownLatch ran = new CountDownLatch(1);
    try (DefaultJobQueue queue = new DefaultJobQueue(config, store)) {
      queue.declare(TEXT);
      queue.register(TEXT, Workers.of(1), job -> ran.countDown());
      assertThat(claimAwaitingReply.await(10, TimeUnit.SECONDS)).as("the dispatcher's first claim").isTrue();
      queue.enqueue(TEXT, "job");
      enqueued.countDown();
      assertThat(ran.await(10, TimeUnit.SECONDS)).as("the job ran before the next poll, a minute away").isTrue();
    }
  }
}
