package dev.ballast.queue;

import dev.ballast.queue.internal.DefaultJobQueue;
import dev.ballast.queue.internal.InMemoryStore;
import dev.ballast.queue.internal.RedisStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.List;

/**
 * A queue of background jobs: enqueued with a type and a payload, run by handlers registered per type,
 * retried with backoff, dead-lettered when their attempts are spent, never silently lost.
 * <pre>{@code
 * JobType<String> email = JobType.of("email", JobCodec.utf8());
 * try (JobQueue queue = JobQueue.redis(redisClient, QueueConfig.builder().name("mail").build())) {
 *   queue.register(email, Workers.of(4), job -> mailer.send(job.payload()));
 *   queue.enqueue(email, "hello", JobOptions.builder().idempotencyKey("welcome-42").build());
 * }
 * }</pre>
 *
 * <p><b>Delivery</b> is at least once: a job is acknowledged only after its handler returned. A failed
 * attempt is retried after the job's {@link dev.ballast.core.Backoff} delay, or after the delay an
 * exception implementing {@link dev.ballast.core.RetryAfterHint} names; after the last attempt the job
 * moves to the dead-letter set. A claimed job whose worker died is taken back after the visibility
 * timeout. Priorities are served by weighted round robin, so low priorities still advance.
 *
 * <p>Two backends keep the same contract: {@link #inMemory} (everything is lost when the JVM stops) and
 * {@link #redis} (atomic Lua scripts; durability is Redis's own, see the module README). Thread-safe.
 */
public interface JobQueue extends AutoCloseable {

  /**
   * A queue kept in this JVM's memory.
   *
   * @throws NullPointerException if {@code config} is null
   */
  static JobQueue inMemory(QueueConfig config) {
    return new DefaultJobQueue(config, new InMemoryStore(config));
  }

  /**
   * A queue kept in Redis, shared by every instance that opens a queue of the same name and key prefix.
   * {@code client} is for one server, or for a Sentinel setup when made with a Sentinel URI ({@code
   * redis-sentinel://host:26379,host2:26379/0#mymaster}: Lettuce asks the Sentinels for the master and asks
   * again after a failover). This opens two connections from {@code client} (commands, and notices of jobs
   * enqueued elsewhere), closed by {@link #close()}; the client stays the caller's. For jobs that must
   * survive a failover see {@link QueueConfig#replicas()}.
   *
   * @throws NullPointerException if an argument is null
   * @throws QueueUnavailableException if Redis cannot be reached or refuses the client's credentials (the
   *     message then says "authentication failed")
   */
  static JobQueue redis(RedisClient client, QueueConfig config) {
    return new DefaultJobQueue(config, RedisStore.connect(client, config));
  }

  /**
   * A queue kept in a Redis Cluster: all of one queue's keys share a hash tag, so they live in one slot
   * (on one master) and every script stays atomic there; queues with different names spread over the
   * cluster. This opens two connections from {@code client}, closed by {@link #close()}; the client stays
   * the caller's. Enable the client's topology refresh ({@code ClusterTopologyRefreshOptions}) so it
   * follows failovers. For jobs that must survive a failover see {@link QueueConfig#replicas()}.
   *
   * @throws NullPointerException if an argument is null
   * @throws QueueUnavailableException if the cluster cannot be reached or refuses the client's credentials
   */
  static JobQueue redis(RedisClusterClient client, QueueConfig config) {
    return new DefaultJobQueue(config, RedisStore.connect(client, config));
  }

  /** The queue's name. */
  String name();

  /** The configuration this queue was opened with. */
  QueueConfig config();

  /**
   * Makes {@code type} known to this instance so it can be enqueued here without a handler here.
   *
   * @throws IllegalArgumentException if another type of that name was declared or registered
   */
  void declare(JobType<?> type);

  /**
   * Starts {@code workers} running {@code handler} for every job of {@code type}; also declares it.
   *
   * @throws IllegalStateException if a handler is already registered for the type, or the queue is closed
   * @throws IllegalArgumentException if another type of that name was declared
   */
  <T> void register(JobType<T> type, Workers workers, JobHandler<T> handler);

  /**
   * Enqueues a job with the queue's default options.
   *
   * @return the job's id
   * @throws IllegalArgumentException if the type is unknown here or the payload is too large
   * @throws QueueUnavailableException if the backend cannot store it
   * @throws QueueInterruptedException if the calling thread is interrupted while it waits for the backend
   *     (the flag stays set; the operation may or may not have been done)
   */
  <T> String enqueue(JobType<T> type, T payload);

  /**
   * Enqueues a job. With an idempotency key seen within the idempotency window, nothing is stored and
   * the first job's id is returned.
   *
   * @return the job's id
   * @throws IllegalArgumentException if the type is unknown here, the payload is too large or the
   *     priority is out of range
   * @throws QueueUnavailableException if the backend cannot store it (it may have been stored anyway:
   *     enqueue again with the same idempotency key to be sure)
   * @throws QueueInterruptedException if the calling thread is interrupted while it waits for the backend
   *     (the flag stays set; the operation may or may not have been done)
   */
  <T> String enqueue(JobType<T> type, T payload, JobOptions options);

  /**
   * Enqueues many jobs with the same options in few round trips. An idempotency key in {@code options}
   * is refused, since every job needs its own: use {@link #enqueue(JobType, Object, JobOptions)} for
   * those, or suffix the key yourself.
   *
   * @return the ids in order
   * @throws IllegalArgumentException as {@link #enqueue(JobType, Object, JobOptions)}, or if options
   *     carry an idempotency key
   * @throws QueueUnavailableException if the backend cannot store them (some may be stored)
   * @throws QueueInterruptedException if the calling thread is interrupted while it waits for the backend
   *     (the flag stays set; the operation may or may not have been done)
   */
  <T> List<String> enqueueAll(JobType<T> type, List<? extends T> payloads, JobOptions options);

  /**
   * The dead-letter set, oldest first.
   *
   * @throws QueueUnavailableException if the backend cannot be reached
   * @throws QueueInterruptedException if the calling thread is interrupted while it waits for the backend
   *     (the flag stays set; the operation may or may not have been done)
   */
  List<DeadLetter> deadLetters(int limit);

  /**
   * Moves a dead letter back to ready with its attempts reset.
   *
   * @return false if no dead letter has that id, or its stored data is corrupt (it then stays a dead
   *     letter, its last error saying why)
   * @throws QueueUnavailableException if the backend cannot be reached
   * @throws QueueInterruptedException if the calling thread is interrupted while it waits for the backend
   *     (the flag stays set; the operation may or may not have been done)
   */
  boolean requeueDead(String id);

  /**
   * Deletes every dead letter.
   *
   * @return how many were deleted
   * @throws QueueUnavailableException if the backend cannot be reached
   * @throws QueueInterruptedException if the calling thread is interrupted while it waits for the backend
   *     (the flag stays set; the operation may or may not have been done)
   */
  long purgeDead();

  /**
   * The queue's depths now (all instances, on Redis).
   *
   * @throws QueueUnavailableException if the backend cannot be reached
   * @throws QueueInterruptedException if the calling thread is interrupted while it waits for the backend
   *     (the flag stays set; the operation may or may not have been done)
   */
  QueueStats stats();

  /**
   * Stops claiming jobs and waits up to {@code timeout} for running handlers to finish; handlers still
   * running then are interrupted and their jobs left in flight, to be taken back after the visibility
   * timeout (on Redis by another instance). Handlers already written off as hung (see
   * {@link QueueConfig#hungHandlerGrace()}) are not waited for. If the calling thread is interrupted, the
   * wait ends at once as if the timeout had passed, and the thread's interrupt flag stays set. Idempotent.
   *
   * <p>The bound holds whatever Redis does meanwhile (down, paused, restarting): this returns within
   * {@code timeout} plus at most about a second, in which the queue's threads, stopped or interrupted,
   * end (only a handler that ignores its interrupt can outlive it; that is logged). Delivery stays at least
   * once: a job whose handler finished but whose ack could not reach Redis in time stays in flight and
   * runs again after the visibility timeout, like the jobs of interrupted handlers.
   *
   * @return true if every running handler finished in time
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  boolean shutdown(Duration timeout);

  /**
   * {@link #shutdown(Duration)} with {@link QueueConfig#shutdownTimeout()} (30 s by default), then releases
   * the backend connection.
   */
  @Override
  void close();
}
