package dev.ballast.spring;

import dev.ballast.core.Registry;
import dev.ballast.core.internal.BallastThreads;
import dev.ballast.queue.JobQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drains Ballast's job queues in Spring's shutdown phases: each queue stops claiming jobs and waits, up to its
 * {@code shutdownTimeout}, for its running handlers to finish. This runs in phase {@link #PHASE}, after the web
 * server's graceful shutdown and stop (so requests that enqueue are done) and before any bean is destroyed (so the
 * handlers still find the beans they use: data sources, clients, Ballast's caches and switchboard). The registry
 * itself is closed with the context afterwards, closing its components newest first (caches before the
 * switchboard they may be built on, each queue's connection).
 *
 * <p>Queues drain all at once, each on a short-lived thread {@code ballast-spring-drain-<name>}, so the phase
 * takes at most the longest {@code shutdownTimeout} (plus a second or two), not their sum; a handler still
 * running when its queue's timeout ends is interrupted and its job left in flight, to be taken back after the visibility timeout (on Redis by another instance), and a warning
 * is logged. A queue once shut down does not start again: stopping and restarting a running context (rare outside
 * tests) leaves its queues stopped.
 */
public final class BallastQueueShutdown implements SmartLifecycle {

  /**
   * The phase: below Spring Boot's web server phases ({@code DEFAULT_PHASE - 1024} for the graceful shutdown,
   * {@code DEFAULT_PHASE - 2048} for the server), so it stops after them (phases stop from the highest).
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger LOG = LoggerFactory.getLogger(BallastQueueShutdown.class);
  /** What a queue's shutdown may take past its timeout (its threads' end), plus slack. */
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final Registry registry;
  private volatile boolean running;

  /**
   * Drains the queues {@code registry} holds.
   *
   * @param registry where the queues are
   */
  public BallastQueueShutdown(Registry registry) {
    this.registry = registry;
  }

  @Override
  public void start() {
    running = true; // the queues started when the registry was built; this only marks the phase as entered
  }

  @Override
  public void stop() {
    running = false;
    // Every queue drains at once, each on a thread of its own, and the wait is one deadline for all: the
    // worst case is the longest shutdownTimeout (plus the second a queue's shutdown may take past it), not
    // their sum. Each queue's shutdown bounds itself, so a drain thread ends by then too.
    List<Drain> drains = new ArrayList<>();
    long longest = 0;
    for (String name : registry.namesOf(JobQueue.class)) {
      Drain drain = new Drain(name, registry.get(name, JobQueue.class));
      drain.thread.start();
      drains.add(drain);
      longest = Math.max(longest, Math.min(drain.timeout.toNanos(), Long.MAX_VALUE / 4));
    }
    long deadline = System.nanoTime() + longest + GRACE_NANOS;
    boolean interrupted = false;
    for (Drain drain : drains) {
      try {
        drain.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        interrupted = true; // the drains go on by themselves, each bounded by its timeout
        break;
      }
      if (drain.thread.isAlive()) {
        LOG.warn("Job queue '{}': still draining after {}; going on with the shutdown", drain.name, drain.timeout);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One queue's drain, on a thread of its own. */
  private static final class Drain {
    final String name;
    final Duration timeout;
    final Thread thread;

    Drain(String name, JobQueue queue) {
      this.name = name;
      this.timeout = queue.config().shutdownTimeout();
      this.thread = BallastThreads.thread("spring-drain-" + name, () -> {
        if (!queue.shutdown(timeout)) {
          LOG.warn("Job queue '{}': handlers still running after {} were interrupted; their jobs run again after the"
              + " visibility timeout", name, timeout);
        }
      });
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
