package dev.ballast.spring;

import dev.ballast.core.Registry;
import dev.ballast.queue.JobQueue;
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
 * <p>Queues drain one after another; a handler still running when its queue's timeout ends is interrupted and its
 * job left in flight, to be taken back after the visibility timeout (on Redis by another instance), and a warning
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
    for (String name : registry.namesOf(JobQueue.class)) {
      JobQueue queue = registry.get(name, JobQueue.class);
      if (!queue.shutdown(queue.config().shutdownTimeout())) {
        LOG.warn("Job queue '{}': handlers still running after {} were interrupted; their jobs run again after the"
            + " visibility timeout", name, queue.config().shutdownTimeout());
      }
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
